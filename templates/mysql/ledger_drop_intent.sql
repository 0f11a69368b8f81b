-- Recorded before the DROP: if the run dies after it, the next retire --drop sees the archive gone on purpose.
INSERT INTO {{state}}.archive_drops (table_name, archive_name, run_id, requested_at)
VALUES ({{table_name}}, {{archive_name}}, {{run_id}}, {{now}})
ON DUPLICATE KEY UPDATE run_id = VALUES(run_id), requested_at = VALUES(requested_at);
