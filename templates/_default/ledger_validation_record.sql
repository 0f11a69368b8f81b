INSERT INTO {{state}}.validations (table_name, window_key, status, legacy_rows, target_rows, legacy_checksum, target_checksum, sums, failures, run_id, checked_at)
VALUES ({{table_name}}, {{window_key}}, {{p1}}, {{p2}}, {{p3}}, {{p4}}, {{p5}}, {{p6}}, {{p7}}, {{run_id}}, {{now}});
