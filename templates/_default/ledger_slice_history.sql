-- Every run's counts for a window, kept: the slices row names the run that moved the rows, this table every run that ran it.
INSERT INTO {{state}}.slice_runs (table_name, window_key, run_id, legacy_rows, rows_inserted, rows_updated, ended_at)
SELECT k.table_name, k.window_key, k.run_id, k.legacy_rows, {{inserted}}, {{updated}}, {{now}} FROM {{tally}};
