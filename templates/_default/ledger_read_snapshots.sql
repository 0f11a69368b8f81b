SELECT snapshot_name FROM {{state}}.retire_snapshots WHERE table_name = {{p1}} ORDER BY snapshot_name;
