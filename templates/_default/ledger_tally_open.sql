-- What the window's row says as this run claims it (only if it is still as read): a rerun that changes nothing keeps
-- the counts and run id of the run that did the work (see ledger_slice_done.sql). A claim again by this run (after a
-- lost connection) keeps what the row said before this run took it.
INSERT INTO {{state}}.slice_tallies (table_name, window_key, run_id, prior_status, prior_run_id, prior_rows_inserted, prior_rows_updated, recorded_at)
SELECT table_name, window_key, {{run_id}}, status, run_id, rows_inserted, rows_updated, {{now}}
FROM {{state}}.slices
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND status = {{expected_status}} AND {{run_matches}}
  AND NOT EXISTS (SELECT 1 FROM {{state}}.slice_tallies AS k WHERE k.table_name = {{table_name}} AND k.window_key = {{window_key}} AND k.run_id = {{run_id}});
