-- Recorded before the DROP: if the run dies after it, the next retire --drop sees the archive gone on purpose.
INSERT INTO {{state}}.archive_drops (table_name, archive_name, run_id, requested_at)
VALUES ({{table_name}}, {{archive_name}}, {{run_id}}, {{now}})
ON CONFLICT (table_name, archive_name) DO UPDATE SET run_id = excluded.run_id, requested_at = excluded.requested_at;
