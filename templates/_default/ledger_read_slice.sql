SELECT status, run_id FROM {{state}}.slices WHERE table_name = {{p1}} AND window_key = {{p2}};
