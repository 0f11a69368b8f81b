-- One row per table (primary keys are not enforced, so never a plain INSERT). The archive name is typed:
-- most phases have none, and an untyped NULL gives the source column no type.
MERGE INTO {{state}}.table_phases AS l
USING (SELECT {{table_name}} AS table_name, {{phase}} AS phase, CAST({{archive_name}} AS {{text}}) AS archive_name) AS s
ON l.table_name = s.table_name
WHEN MATCHED THEN UPDATE SET phase = s.phase, archive_name = s.archive_name, updated_at = {{now}}
WHEN NOT MATCHED THEN INSERT (table_name, phase, archive_name, updated_at) VALUES (s.table_name, s.phase, s.archive_name, {{now}});
