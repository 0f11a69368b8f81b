-- A fresh window's rows as the slice inserted them: the target's rows in the window's key range (none were there
-- before), summed to compare with legacy's; a live row inserted in the range meanwhile makes them differ, and the
-- row-by-row check below then runs.
SELECT count(*) AS w_fresh_rows, {{sums}}
FROM {{target}} AS t
WHERE {{in_range}} AND {{guard}};
