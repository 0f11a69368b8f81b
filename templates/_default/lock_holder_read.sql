SELECT run_id, command, operator, acquired_at FROM {{state}}.locks WHERE table_name = {{p1}};
