-- The window's changes by that run are undone (binds this run's id and the rows kept).
UPDATE {{state}}.undo_windows
SET undone_at = {{now}}, undone_by = {{p1}}, kept_rows = {{p2}}
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND run_id = {{run_id}};
