-- A measurement the slice made (its query's one row), kept as one ledger row per figure (window_figures): the
-- statements after it, and migrate, read it there, so the printed plan runs as it is in the engine's own client.
INSERT INTO {{state}}.window_figures (table_name, window_key, run_id, measure, item, value)
SELECT {{table_name}}, {{window_key}}, {{run_id}}, {{measure}}, i.item, CASE i.item {{cases}} END
FROM (
{{query}}
) AS m CROSS JOIN ({{items}}) AS i;
