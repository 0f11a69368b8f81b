-- retire --drop --drop-snapshot dropped it: the ledger no longer lists it.
DELETE FROM {{state}}.retire_snapshots WHERE table_name = {{table_name}} AND snapshot_name = {{snapshot_name}};
