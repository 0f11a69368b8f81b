-- Who holds the operator lock on a table, so a second operator is told who and since when.
INSERT INTO {{state}}.locks (table_name, run_id, command, operator, acquired_at)
VALUES ({{p1}}, {{p2}}, {{p3}}, {{p4}}, {{now}})
ON CONFLICT (table_name) DO UPDATE SET run_id = excluded.run_id, command = excluded.command, operator = excluded.operator, acquired_at = excluded.acquired_at;
