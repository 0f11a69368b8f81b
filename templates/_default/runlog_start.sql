INSERT INTO {{state}}.runs (run_id, command, arguments, tool_version, operator, started_at, outcome)
VALUES ({{p1}}, {{p2}}, {{p3}}, {{p4}}, {{p5}}, {{now}}, 'running');
