SELECT window_key, status, legacy_rows, rows_inserted, rows_updated, run_id, error, started_at, ended_at
FROM {{state}}.slices WHERE table_name = {{p1}} ORDER BY window_key;
