-- The view's census. Distinct keys are a GROUP BY over UNION ALL, not a UNION: BigQuery has no bare UNION
-- (only UNION DISTINCT, which Snowflake lacks).
SELECT
  (SELECT count(*) FROM (SELECT {{key}} FROM {{view}} WHERE {{key_not_null}} GROUP BY {{key}} HAVING count(*) > 1) AS d) AS keys_twice,
  (SELECT count(*) FROM {{view}} WHERE {{key_not_null}}) AS keyed_rows,
  (SELECT count(*) FROM (
     SELECT {{key}} FROM (
       SELECT {{key}} FROM ({{legacy_keys}}) AS lk WHERE {{key_not_null}}
       UNION ALL
       SELECT {{key}} FROM {{target}}
     ) AS k GROUP BY {{key}}
   ) AS u) AS distinct_keys,
  (SELECT count(*) FROM (SELECT {{key}} FROM ({{legacy_keys}}) AS lk WHERE {{key_not_null}} GROUP BY {{key}}) AS l) AS legacy_keys,
  (SELECT count(*) FROM {{target}}) AS target_rows;
