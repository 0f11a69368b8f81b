-- No MERGE here: one INSERT … SELECT … ON DUPLICATE KEY UPDATE per window,
-- which needs a PRIMARY KEY or UNIQUE index on the key. The source is already
-- de-duplicated by key. Assignments run left to right (see src/plan/upsert.ts
-- for why their order matters); an unchanged row counts as 0 rows changed.
INSERT INTO {{target}} ({{insert_columns}})
SELECT {{insert_values}} FROM (
{{source}}
) AS s
ON DUPLICATE KEY UPDATE
  {{duplicate_key_set}};
