-- A snapshot of legacy before it is renamed: read-only, billed only for the bytes that later differ from the
-- base, and a point to go back to after the archive is dropped. IF NOT EXISTS: a retire run again after a crash
-- keeps it.
CREATE SNAPSHOT TABLE IF NOT EXISTS {{snapshot}} CLONE {{table}};
