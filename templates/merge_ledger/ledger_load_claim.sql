-- Claim the registration of this slice's dlt load (see _default/ledger_load_claim.sql). Each slice has its own
-- load id, so a claim already there is another run's, refused by the check that follows. Primary keys are not
-- enforced (Snowflake, BigQuery) and two INSERT … WHERE NOT EXISTS do not wait for each other, so two runs that
-- minted one load id at the same moment could both claim it; a MERGE holds the table's lock until its transaction
-- commits (Snowflake) or conflicts with a concurrent one (BigQuery), so the second claim waits or fails (whether a
-- waiting MERGE then reads the first's row is not yet confirmed on an account).
MERGE INTO {{state}}.dlt_load_registrations AS r
USING (SELECT {{loads_name}} AS loads_table, {{load_id}} AS load_id, {{table_name}} AS table_name, {{run_id}} AS run_id FROM (SELECT 1 AS one) AS x WHERE {{changed}} > 0) AS s
ON r.loads_table = s.loads_table AND r.load_id = s.load_id
WHEN NOT MATCHED THEN INSERT (loads_table, load_id, table_name, run_id, registered_at) VALUES (s.loads_table, s.load_id, s.table_name, s.run_id, {{now}});
