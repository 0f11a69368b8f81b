-- The slice's MERGE (see _default/slice_merge.sql) run as a query: Snowflake answers a MERGE with one row,
-- "number of rows inserted" and "number of rows updated" (the latter only with a WHEN MATCHED clause), which
-- the plan keeps as the slice's counts (dialect upsertResultColumns), so nothing probes the target beforehand.
-- The source is de-duplicated by key: a target row matched by two source rows fails the MERGE
-- (ERROR_ON_NONDETERMINISTIC_MERGE), and two unmatched ones would both be inserted.
MERGE INTO {{target}} AS t
USING (
{{source}}
) AS s
ON {{key_match}}
{{#update_set}}
WHEN MATCHED AND {{update_when}} THEN UPDATE SET {{update_set}}
{{/update_set}}
WHEN NOT MATCHED THEN INSERT ({{insert_columns}}) VALUES ({{insert_values}});
