-- First come, first kept: a later config naming other tables under this id is refused when it reads the ledger.
MERGE INTO {{state}}.table_identity AS l
USING (SELECT {{table_name}} AS table_name, {{legacy_table}} AS legacy_table, {{target_table}} AS target_table) AS s
ON l.table_name = s.table_name
WHEN NOT MATCHED THEN INSERT (table_name, legacy_table, target_table, recorded_at) VALUES (s.table_name, s.legacy_table, s.target_table, {{now}});
