-- The rows listed for the window, and those deleted since (the rest of what the undo leaves alone is counted by what
-- the delete and the restore change).
SELECT count(*) AS undo_listed_total, coalesce(sum(CASE WHEN _theseus_undo = 'gone' THEN 1 ELSE 0 END), 0) AS undo_gone
FROM {{preimages}}
WHERE _theseus_run_id = {{run_id}} AND _theseus_window = {{window_key}};
