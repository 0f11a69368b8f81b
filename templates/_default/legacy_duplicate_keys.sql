-- Keys legacy holds more than once: the slice keeps the latest row of each, the others never reach the target.
-- tied_keys: keys with several rows at the same (latest-wins) order, which only the tie-break on every column tells apart.
SELECT count(*) AS duplicate_keys, coalesce(sum(n), 0) AS rows_with_duplicate_keys, coalesce(sum(CASE WHEN n > orders THEN 1 ELSE 0 END), 0) AS tied_keys FROM (
  SELECT count(*) AS n, count(DISTINCT {{order_by}}) AS orders FROM {{legacy}} WHERE {{raw_key_not_null}} GROUP BY {{raw_key}} HAVING count(*) > 1
) AS d;
