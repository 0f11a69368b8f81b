-- After cutover's repoint: the view's rows that are not the target's, its rows, and legacy's distinct keys (a guard
-- of cutover's distribution check: exactly ('dlt', N) with N at least the distinct legacy keys).
SELECT
  (SELECT count(*) FROM {{view}} WHERE {{flag}} IS NULL OR {{flag}} <> {{dlt_flag}}) AS not_dlt_rows,
  (SELECT count(*) FROM {{view}}) AS view_rows,
  (SELECT count(*) FROM (SELECT {{key}} FROM ({{legacy_keys}}) AS lk WHERE {{key_not_null}} GROUP BY {{key}}) AS l) AS legacy_keys;
