-- One idempotent MERGE per window. The source is already de-duplicated by key;
-- a matched row is updated only when it differs (and, with updated_at, when the
-- source row is at least as new), so a re-run changes nothing.
MERGE INTO {{target}} AS t
USING (
{{source}}
) AS s
ON {{key_match}}
{{#update_set}}
WHEN MATCHED AND {{update_when}} THEN UPDATE SET {{update_set}}
{{/update_set}}
WHEN NOT MATCHED THEN INSERT ({{insert_columns}}) VALUES ({{insert_values}});
