-- The counts the slice recorded (slice_tallies), or, when this run changed nothing in a window already done, those
-- of the run that did, with its run id.
UPDATE {{state}}.slices
SET status = 'done',
  legacy_rows = (SELECT k.legacy_rows FROM {{tally}}),
  rows_inserted = (SELECT CASE WHEN {{keeps}} THEN k.prior_rows_inserted ELSE {{inserted}} END FROM {{tally}}),
  rows_updated = (SELECT CASE WHEN {{keeps}} THEN k.prior_rows_updated ELSE {{updated}} END FROM {{tally}}),
  ended_at = {{now}}, error = NULL,
  run_id = (SELECT CASE WHEN {{keeps}} THEN k.prior_run_id ELSE {{run_id}} END FROM {{tally}})
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND run_id = {{run_id}};
