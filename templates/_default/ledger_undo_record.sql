-- What this slice changed, for migrate undo: its load id, whether the window was fresh, its counts (binds run id, fresh, counts).
INSERT INTO {{state}}.undo_windows (table_name, window_key, run_id, load_id, fresh, rows_inserted, rows_updated, recorded_at)
VALUES ({{table_name}}, {{window_key}}, {{run_id}}, {{load_id}}, {{p1}}, {{p2}}, {{p3}}, {{now}});
