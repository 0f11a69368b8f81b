-- How many of a table's windows this run (bound) marked failed.
SELECT count(*) AS failed_windows FROM {{state}}.validations
WHERE table_name = {{table_name}} AND run_id = {{run_id}} AND status = 'failed';
