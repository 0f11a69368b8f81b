-- The counts and run id bound are this run's, or, when this run changed nothing in a window already done, the run's that did.
UPDATE {{state}}.slices
SET status = 'done', legacy_rows = {{p1}}, rows_inserted = {{p2}}, rows_updated = {{p3}}, run_id = {{p4}}, ended_at = {{now}}, error = NULL
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND run_id = {{run_id}};
