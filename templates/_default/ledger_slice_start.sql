INSERT INTO {{state}}.slices (table_name, window_key, window_start, window_end, status, run_id, started_at)
VALUES ({{table_name}}, {{window_key}}, {{window_start}}, {{window_end}}, 'running', {{p1}}, {{now}})
ON CONFLICT (table_name, window_key) DO UPDATE SET status = 'running', run_id = excluded.run_id, started_at = excluded.started_at, ended_at = NULL, error = NULL;
