INSERT INTO {{state}}.locks (table_name, run_id, command, operator, acquired_at)
VALUES ({{p1}}, {{p2}}, {{p3}}, {{p4}}, {{now}})
ON DUPLICATE KEY UPDATE run_id = VALUES(run_id), command = VALUES(command), operator = VALUES(operator), acquired_at = VALUES(acquired_at);
