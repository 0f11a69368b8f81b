-- The run log, newest first.
SELECT run_id, command, arguments, operator, started_at, ended_at, outcome, error
FROM {{state}}.runs
ORDER BY started_at DESC;
