-- The census (view_census.sql) where it breaks the view's invariants: one row, found = the keys seen twice (or the
-- keyed rows, where only the totals disagree).
SELECT CASE WHEN c.keys_twice > 0 THEN c.keys_twice ELSE c.keyed_rows END AS found
FROM ({{census}}) AS c
WHERE NOT (c.keys_twice = 0 AND c.keyed_rows = c.distinct_keys);
