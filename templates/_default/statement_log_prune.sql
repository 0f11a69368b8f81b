-- migrate prune --audit-log: the statements of runs started before the cut-off go; the runs stay in the run log.
DELETE FROM {{state}}.statement_log
WHERE run_id IN (SELECT r.run_id FROM {{state}}.runs AS r WHERE r.started_at < {{before}});
