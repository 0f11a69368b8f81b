-- Does this run hold the window's slice (claimed by the step before, not taken over since)? The slice's first guard.
SELECT count(*) AS held FROM {{state}}.slices
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND status = 'running' AND run_id = {{run_id}};
