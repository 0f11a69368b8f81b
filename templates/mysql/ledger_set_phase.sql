INSERT INTO {{state}}.table_phases (table_name, phase, archive_name, updated_at)
VALUES ({{table_name}}, {{phase}}, {{archive_name}}, {{now}})
ON DUPLICATE KEY UPDATE phase = VALUES(phase), archive_name = VALUES(archive_name), updated_at = VALUES(updated_at);
