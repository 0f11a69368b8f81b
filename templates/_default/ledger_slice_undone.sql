-- The window goes back to pending: the next backfill writes it again.
UPDATE {{state}}.slices
SET status = 'pending', legacy_rows = NULL, rows_inserted = NULL, rows_updated = NULL, run_id = NULL, started_at = NULL, ended_at = NULL, error = NULL
WHERE table_name = {{table_name}} AND window_key = {{window_key}};
