-- Runs the log still has as running, other than this one: each is alive only while it holds its run lock.
SELECT run_id FROM {{state}}.runs WHERE outcome = 'running' AND run_id <> {{p1}};
