-- After the slice committed: a key of the window the target now holds twice, once as this slice wrote it and
-- once as a live writer loaded it, loses the slice's row; live data wins, as in the runbook's staging pattern
-- (INSERT … ON CONFLICT DO NOTHING). The slice's own check could not see such a writer: BigQuery's transaction
-- reads a snapshot taken when it began, and on Snowflake a writer may commit between the check and COMMIT.
DELETE FROM {{target}} AS t
WHERE t.{{load_id}} = {{slice_load_id}}
  AND EXISTS (SELECT 1 FROM ({{legacy_keys}}) AS a WHERE {{key_match_a}})
  AND EXISTS (SELECT 1 FROM {{target}} AS o WHERE {{key_match_o}} AND {{other_load}});
