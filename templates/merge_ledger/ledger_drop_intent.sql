-- Recorded before the DROP: if the run dies after it, the next retire --drop sees the archive gone on purpose.
MERGE INTO {{state}}.archive_drops AS l
USING (SELECT {{table_name}} AS table_name, {{archive_name}} AS archive_name, {{run_id}} AS run_id) AS s
ON l.table_name = s.table_name AND l.archive_name = s.archive_name
WHEN MATCHED THEN UPDATE SET run_id = s.run_id, requested_at = {{now}}
WHEN NOT MATCHED THEN INSERT (table_name, archive_name, run_id, requested_at) VALUES (s.table_name, s.archive_name, s.run_id, {{now}});
