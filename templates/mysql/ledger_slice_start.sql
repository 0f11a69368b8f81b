INSERT INTO {{state}}.slices (table_name, window_key, window_start, window_end, status, run_id, started_at)
VALUES ({{table_name}}, {{window_key}}, {{window_start}}, {{window_end}}, 'running', {{p1}}, {{now}})
ON DUPLICATE KEY UPDATE status = 'running', run_id = VALUES(run_id), started_at = VALUES(started_at), ended_at = NULL, error = NULL;
