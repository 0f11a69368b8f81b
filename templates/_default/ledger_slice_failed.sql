UPDATE {{state}}.slices SET status = 'failed', ended_at = {{now}}, error = {{p1}}
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND run_id = {{run_id}};
