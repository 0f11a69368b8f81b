SELECT status, run_id, rows_inserted, rows_updated FROM {{state}}.slices WHERE table_name = {{p1}} AND window_key = {{p2}};
