-- A reviewer approves the table's validated state as this verify run recorded it (binds run id, approver, backfill operators, self-approved, fingerprint, checksums).
INSERT INTO {{state}}.approvals (table_name, verify_run_id, approver, operators, self_approved, fingerprint, checksums, approved_at)
VALUES ({{table_name}}, {{run_id}}, {{run_operator}}, {{p1}}, {{p2}}, {{p3}}, {{p4}}, {{now}});
