-- How the slice writes this window: legacy's keyed rows of the window against the target's rows whose key lies
-- in the window's key range. None there yet: 'fresh' (a plain INSERT, with no row to conflict with).{{#in_sync}}
-- As many rows, with the same checksum and sums: 'in_sync' (nothing to write, nothing more to check).{{/in_sync}}
-- Anything else: 'differs' (the upsert, then the row-by-row check), as is a window whose key range overlaps another
-- window's (recorded as such before; then neither side is read here).
WITH l AS (
  SELECT count(*) AS n{{#legacy_sums}}, {{legacy_sums}}{{/legacy_sums}}
  FROM (
{{legacy_rows}}
  ) AS r
), t AS (
  SELECT count(*) AS n{{#target_sums}}, {{target_sums}}{{/target_sums}}
  FROM {{target}} AS t
  WHERE {{in_range}} AND {{undecided}}
)
SELECT {{legacy_count}} AS legacy_rows, l.n AS w_legacy_keyed, t.n AS w_target_in_range,{{#figures}} {{figures}},{{/figures}}
  CASE WHEN {{decided_state}} = 'differs' THEN 'differs' WHEN t.n = 0 THEN 'fresh'{{#in_sync}} WHEN {{in_sync}} THEN 'in_sync'{{/in_sync}} ELSE 'differs' END AS window_state
FROM l CROSS JOIN t;
