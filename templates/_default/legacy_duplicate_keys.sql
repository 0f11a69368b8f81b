-- Keys legacy holds more than once: the slice keeps the latest row of each, the others never reach the target.
-- tied_keys: keys whose latest rows tie on updated_at and the cursor, which only the tie-break on every other
-- column tells apart.
SELECT count(*) AS duplicate_keys, coalesce(sum(n), 0) AS rows_with_duplicate_keys, coalesce(sum(CASE WHEN latest > 1 THEN 1 ELSE 0 END), 0) AS tied_keys FROM (
  SELECT count(*) AS n, sum(CASE WHEN r.{{rank}} = 1 THEN 1 ELSE 0 END) AS latest FROM (
    SELECT {{key_aliased}}, rank() OVER (PARTITION BY {{raw_key}} ORDER BY {{latest_first}}) AS {{rank}}
    FROM {{legacy}} WHERE {{raw_key_not_null}}
  ) AS r GROUP BY {{key_aliases}} HAVING count(*) > 1
) AS d;
