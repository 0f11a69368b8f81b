-- Who ran each run (the run log).
SELECT run_id, operator FROM {{state}}.runs;
