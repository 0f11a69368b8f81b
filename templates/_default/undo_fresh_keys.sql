-- The run found this window fresh (no target row in its key range) and inserted every key of legacy's window,
-- so it kept no key one by one: they are legacy's window's keys, listed here for the steps below.
INSERT INTO {{preimages}} (_theseus_run_id, _theseus_window, _theseus_change, {{key_columns}})
SELECT {{run_id}}, {{window_key}}, 'inserted', {{s_keys}}
FROM (
{{source}}
) AS s;
