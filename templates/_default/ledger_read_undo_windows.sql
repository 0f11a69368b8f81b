-- What backfill runs changed in a table, window by window, and whether it was undone or pruned since (binds the table id).
SELECT u.window_key, u.run_id, u.load_id, u.fresh, u.rows_inserted, u.rows_updated, u.recorded_at, u.undone_at, u.undone_by, u.kept_rows, u.pruned_at
FROM {{state}}.undo_windows AS u
WHERE u.table_name = {{p1}}
ORDER BY u.recorded_at, u.window_key;
