-- scd2: the current versions of the slice's records that a later version follows (a version in the target, or
-- a legacy row flagged deleted, which ends the version before it as dlt's hard delete does), each with the
-- valid_from of the next one. Grouped, so engines that cannot read the updated table in its own UPDATE
-- materialize it. A record counts as the slice's when the window holds a row of it, kept or flagged.
SELECT {{o_record_key}}, o.{{valid_from}} AS this_from, min(n.{{valid_from}}) AS next_from
FROM {{target}} AS o JOIN (
  SELECT {{record_key}}, {{valid_from}} FROM {{target}}{{#deletions}}
  UNION ALL
  {{deletions}}{{/deletions}}
) AS n ON {{o_n_match}} AND n.{{valid_from}} > o.{{valid_from}}
WHERE {{o_active}} AND (EXISTS (SELECT 1 FROM (
{{source}}
) AS s WHERE {{o_s_match}}){{#window_deletions}} OR EXISTS (SELECT 1 FROM (
{{window_deletions}}
) AS s WHERE {{o_s_match}}){{/window_deletions}})
GROUP BY {{o_record_key}}, o.{{valid_from}}
