-- Keys of the window the target holds twice after the merge. Where nothing holds a live writer's INSERT off
-- (no lock that can, no enforced unique key: Snowflake), one may insert a key while the slice merges it; a
-- writer that committed before this check is caught here and the slice rolls back (the writer's row stays).
-- One that commits between this check and the slice's COMMIT (or that the transaction's snapshot hid, on
-- BigQuery) is caught by the check after commit (window_keys_twice_repair.sql).
SELECT count(*) AS keys_twice FROM (
  SELECT {{t_key}} FROM {{target}} AS t
  WHERE EXISTS (SELECT 1 FROM ({{legacy_keys}}) AS a WHERE {{key_match}})
  GROUP BY {{t_key}}
  HAVING count(*) > 1
) AS d;
