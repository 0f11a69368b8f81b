-- The window's changes by that run are undone (binds this run's id and the rows kept).
UPDATE {{state}}.undo_windows
SET undone_at = {{now}}, undone_by = {{run_id}}, kept_rows = {{p1}}
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND run_id = {{undone_run_id}};
