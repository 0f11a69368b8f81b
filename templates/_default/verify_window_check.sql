-- One window in detail: legacy's keyed rows joined to the target on the key.
-- found/differs are computed once per joined row, then counted. legacy_rows is
-- counted apart: a key the target holds twice would count its legacy row twice.
WITH l AS (
{{legacy_rows}}
)
SELECT
  (SELECT count(*) FROM l) AS v_legacy_rows,
  coalesce(sum(1 - j.found), 0) AS v_missing_keys,
  coalesce(sum(j.differs{{#newer}} - j.newer{{/newer}}), 0) AS v_changed_rows,{{#newer}}
  coalesce(sum(j.newer), 0) AS v_newer_in_target,{{/newer}}
  coalesce(sum(j.l_h), 0) AS v_legacy_checksum,
  coalesce(sum(j.t_h), 0) AS v_target_checksum{{#metric_sums}},
  {{metric_sums}}{{/metric_sums}}{{#full}},
  (SELECT count(*) FROM ({{target_window_rows}}) AS w) AS v_target_rows,
  (SELECT count(*) FROM ({{target_window_rows}}) AS w
    WHERE NOT EXISTS (SELECT 1 FROM ({{legacy_keys}}) AS a WHERE {{extra_match}})) AS v_extra_keys,
  (SELECT count(*) FROM (SELECT {{key_names}} FROM {{target}} WHERE {{target_window}} GROUP BY {{key_names}} HAVING count(*) > 1) AS d) AS v_target_duplicate_keys,
  (SELECT count(*) FROM (SELECT {{key_names}} FROM {{view}} WHERE {{target_window}} GROUP BY {{key_names}} HAVING count(*) > 1) AS d) AS v_view_duplicate_keys{{/full}}
FROM (
  SELECT
    {{joined}}
  FROM l LEFT JOIN {{target}} AS t ON {{key_match}}
) AS j;
