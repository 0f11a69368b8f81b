INSERT INTO {{state}}.table_phases (table_name, phase, archive_name, updated_at)
VALUES ({{table_name}}, {{phase}}, {{archive_name}}, {{now}})
ON CONFLICT (table_name) DO UPDATE SET phase = excluded.phase, archive_name = excluded.archive_name, updated_at = excluded.updated_at;
