-- The slice's figures read back for migrate's own checks and progress (a client prints them); with the window's
-- recorded state and row check last, which win over what was measured (a lost race records 'differs').
SELECT f.item AS item, f.value AS value, 1 AS seq FROM {{state}}.window_figures AS f
WHERE f.table_name = {{table_name}} AND f.window_key = {{window_key}} AND f.run_id = {{run_id}} AND f.measure IN ({{measures}}){{#with_state}}
UNION ALL
SELECT 'window_state', w.state, 2 FROM {{state}}.window_states AS w WHERE w.table_name = {{table_name}} AND w.window_key = {{window_key}}
UNION ALL
SELECT 'row_check', w.row_check, 3 FROM {{state}}.window_states AS w WHERE w.table_name = {{table_name}} AND w.window_key = {{window_key}}{{/with_state}}
ORDER BY seq;
