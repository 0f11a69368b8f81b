-- A zero-copy clone of legacy before it is renamed: instant, storage charged only for later changes, and a
-- point to go back to after the archive is dropped. IF NOT EXISTS: a retire run again after a crash keeps it.
CREATE TABLE IF NOT EXISTS {{snapshot}} CLONE {{table}};
