-- Compare-and-set: the slice becomes this run's only if its row still has the status and run id it had when read
-- (rendered here as they were read). One row changed: claimed. None: another worker took it first.
UPDATE {{state}}.slices
SET status = 'running', run_id = {{run_id}}, started_at = {{now}}, ended_at = NULL, error = NULL
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND status = {{expected_status}} AND {{run_matches}};
