-- What the undo of this window will do, and what it leaves alone.
SELECT
  coalesce(sum(CASE WHEN _theseus_undo = 'undo' AND _theseus_change = 'inserted' THEN 1 ELSE 0 END), 0) AS undo_deleted,
  coalesce(sum(CASE WHEN _theseus_undo = 'undo' AND _theseus_change = 'updated' THEN 1 ELSE 0 END), 0) AS undo_restored,
  coalesce(sum(CASE WHEN _theseus_undo = 'kept' THEN 1 ELSE 0 END), 0) AS undo_kept,
  coalesce(sum(CASE WHEN _theseus_undo = 'gone' THEN 1 ELSE 0 END), 0) AS undo_gone
FROM {{preimages}}
WHERE _theseus_run_id = {{run_id}} AND _theseus_window = {{window_key}};
