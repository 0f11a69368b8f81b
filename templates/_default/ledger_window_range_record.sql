-- The window's legacy rows and the range of their keys (first key column, as text so no digit is lost): where
-- the slice looks for target rows the window's could conflict with. A range that overlaps another window's says
-- the keys do not follow the cursor: the window differs at once, and no slice scans a range spanning the target.
INSERT INTO {{state}}.window_states (table_name, window_key, legacy_rows, key_lo, key_hi, state, recorded_at)
SELECT {{table_name}}, {{window_key}}, r.n, {{key_lo_text}}, {{key_hi_text}},
  CASE WHEN EXISTS (SELECT 1 FROM {{state}}.window_states AS o WHERE o.table_name = {{table_name}} AND o.window_key <> {{window_key}}
    AND {{other_lo}} <= r.hi AND {{other_hi}} >= r.lo) THEN 'differs' END,
  {{now}}
FROM (SELECT count(*) AS n, min({{key}}) AS lo, max({{key}}) AS hi FROM {{legacy}} WHERE {{window}}) AS r;
