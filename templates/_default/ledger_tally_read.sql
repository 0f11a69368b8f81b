-- The slice's counts as its statements recorded them, for migrate's progress line (a client prints them); with how
-- the fast path wrote the window, where it ran.
SELECT k.legacy_rows AS legacy_rows, {{inserted}} AS rows_inserted, {{updated}} AS rows_updated{{#window_state}}, {{window_state}} AS window_state{{/window_state}}
FROM {{state}}.slice_tallies AS k
WHERE k.table_name = {{table_name}} AND k.window_key = {{window_key}} AND k.run_id = {{run_id}};
