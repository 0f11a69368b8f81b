-- One window in detail: legacy's keyed rows joined to the target on the key
-- (wherever the target row's cursor now falls). t_h is NULL where the target
-- lacks the key; t_h and l_h come in quoted as their aliases are (Snowflake
-- reads an unquoted name upper-case). Without `full`, legacy_rows counts joined
-- rows: exact unless the target holds a key twice, which `full` (verify) counts apart.
WITH l AS (
{{legacy_rows}}
)
SELECT
  {{#full}}(SELECT count(*) FROM l){{/full}}{{^full}}count(*){{/full}} AS v_legacy_rows,
  coalesce(sum(CASE WHEN {{t_h}} IS NULL THEN 1 ELSE 0 END), 0) AS v_missing_keys,
  coalesce(sum(CASE{{#newer}} WHEN {{newer}} THEN 0{{/newer}} WHEN {{t_h}} <> {{l_h}} THEN 1 ELSE 0 END), 0) AS v_changed_rows,{{#newer}}
  coalesce(sum(CASE WHEN {{newer}} THEN 1 ELSE 0 END), 0) AS v_newer_in_target,{{/newer}}
  coalesce(sum({{l_h}}), 0) AS v_legacy_checksum,
  coalesce(sum({{t_h}}), 0) AS v_target_checksum{{#metric_sums}},
  {{metric_sums}}{{/metric_sums}}{{#full}},
  (SELECT count(*) FROM ({{target_window_rows}}) AS w) AS v_target_rows,
  (SELECT count(*) FROM ({{target_window_rows}}) AS w
    WHERE NOT EXISTS (SELECT 1 FROM {{legacy}} AS a WHERE {{extra_match}})) AS v_extra_keys,
  (SELECT count(*) FROM (SELECT {{key_names}} FROM {{target}} WHERE {{target_window}} GROUP BY {{key_names}} HAVING count(*) > 1) AS d) AS v_target_duplicate_keys,
  (SELECT count(*) FROM (SELECT {{key_names}} FROM {{view}} WHERE {{target_window}} GROUP BY {{key_names}} HAVING count(*) > 1) AS d) AS v_view_duplicate_keys{{/full}}
FROM (
  SELECT
    {{joined}}
  FROM l LEFT JOIN {{target}} AS t ON {{key_match}}
  -- A limit no window reaches: it keeps engines from inlining these columns
  -- into each sum above, which would compute a row's checksum once per sum.
  LIMIT {{no_limit}} -- a fence, not a limit: no window has that many rows, and it keeps the checksums computed once per row
) AS p;
