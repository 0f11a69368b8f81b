-- Every run that changed rows of the table, window by window (the slices' history; binds the table id).
SELECT DISTINCT run_id FROM {{state}}.slice_runs
WHERE table_name = {{p1}} AND coalesce(rows_inserted, 0) + coalesce(rows_updated, 0) > 0;
