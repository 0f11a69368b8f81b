-- First come, first kept: a later config naming other tables under this id is refused when it reads the ledger.
INSERT INTO {{state}}.table_identity (table_name, legacy_table, target_table, recorded_at)
VALUES ({{table_name}}, {{legacy_table}}, {{target_table}}, {{now}})
ON DUPLICATE KEY UPDATE table_name = table_name;
