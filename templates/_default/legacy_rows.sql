-- Legacy rows in the target's shape. With dedupe (legacy's key is not declared
-- unique), only the latest row per key is kept; rows with a NULL key are all kept.
-- With kept (dlt's hard_delete, see src/dlt/hardDelete.ts), rows carrying the delete
-- flag are dropped after the de-duplication, as dlt's merge does: a key whose latest
-- row is flagged is left out whole, never replaced by an older unflagged row. The
-- flag's value is carried out of the inner query as flag_name (dlt's condition_columns).
{{#dedupe}}
SELECT {{names}} FROM (
  SELECT {{aligned}},{{#flag}}
    {{flag}} AS {{flag_name}},{{/flag}}
    row_number() OVER (PARTITION BY {{partition}} ORDER BY {{latest_first}}) AS {{rn}}
  FROM {{legacy}}{{#where}}
  WHERE {{where}}{{/where}}
) AS d
WHERE {{^kept}}d.{{rn}} = 1 OR {{d_key_null}}{{/kept}}{{#kept}}(d.{{rn}} = 1 OR {{d_key_null}})
  AND {{kept}}{{/kept}}
{{/dedupe}}
{{^dedupe}}
SELECT {{aligned}}
FROM {{legacy}}{{#where}}
WHERE {{where}}{{/where}}
{{/dedupe}}
