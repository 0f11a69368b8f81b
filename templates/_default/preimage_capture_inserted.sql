-- Before the upsert, in its transaction: the keys it will insert (the target has none of them yet), for migrate undo.
INSERT INTO {{preimages}} (_theseus_run_id, _theseus_window, _theseus_change, {{key_columns}})
SELECT {{run_id}}, {{window_key}}, 'inserted', {{s_keys}}
FROM (
{{source}}
) AS s
WHERE NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match}});
