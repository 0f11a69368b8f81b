-- Keys legacy holds more than once: the slice keeps the latest row of each, the others never reach the target.
SELECT count(*) AS duplicate_keys, coalesce(sum(n), 0) AS rows_with_duplicate_keys FROM (
  SELECT count(*) AS n FROM {{legacy}} WHERE {{raw_key_not_null}} GROUP BY {{raw_key}} HAVING count(*) > 1
) AS d;
