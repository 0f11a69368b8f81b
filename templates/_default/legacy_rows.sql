-- Legacy rows in the target's shape. With dedupe (legacy's key is not declared
-- unique), only the latest row per key is kept; rows with a NULL key are all kept.
{{#dedupe}}
SELECT {{names}} FROM (
  SELECT {{aligned}},
    row_number() OVER (PARTITION BY {{partition}} ORDER BY {{latest_first}}) AS {{rn}}
  FROM {{legacy}}{{#where}}
  WHERE {{where}}{{/where}}
) AS d
WHERE d.{{rn}} = 1 OR {{d_key_null}}
{{/dedupe}}
{{^dedupe}}
SELECT {{aligned}}
FROM {{legacy}}{{#where}}
WHERE {{where}}{{/where}}
{{/dedupe}}
