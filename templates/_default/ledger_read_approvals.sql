-- A table's approvals, newest first (binds the table id).
SELECT verify_run_id, approver, operators, self_approved, fingerprint, approved_at
FROM {{state}}.approvals
WHERE table_name = {{p1}}
ORDER BY approved_at DESC;
