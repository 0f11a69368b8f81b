-- The snapshot retire took, recorded once (primary keys are not enforced everywhere: an insert of what is not there).
INSERT INTO {{state}}.retire_snapshots (table_name, snapshot_name, run_id, taken_at)
SELECT {{table_name}}, {{snapshot_name}}, {{run_id}}, {{now}} FROM (SELECT 1 AS one) AS x
WHERE NOT EXISTS (SELECT 1 FROM {{state}}.retire_snapshots AS r WHERE r.table_name = {{table_name}} AND r.snapshot_name = {{snapshot_name}});
