SELECT window_key, status, legacy_rows, target_rows, legacy_checksum, target_checksum, sums, failures, run_id, checked_at
FROM {{state}}.validations WHERE table_name = {{p1}} ORDER BY window_key;
