INSERT INTO {{state}}.runs (run_id, command, arguments, tool_version, operator, started_at, outcome)
VALUES ({{run_id}}, {{run_command}}, {{run_arguments}}, {{run_tool_version}}, {{run_operator}}, {{now}}, 'running');
