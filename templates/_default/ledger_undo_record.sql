-- What this slice changed, for migrate undo: its load id, whether the window was fresh, its counts (slice_tallies).
INSERT INTO {{state}}.undo_windows (table_name, window_key, run_id, load_id, fresh, rows_inserted, rows_updated, recorded_at)
SELECT k.table_name, k.window_key, k.run_id, {{load_id}}, {{fresh}}, {{inserted}}, {{updated}}, {{now}} FROM {{tally}};
