-- Claim the registration of this slice's dlt load, if the slice changed rows (its tally): one `_dlt_loads` row per
-- load id, in the transaction of the slice whose rows it vouches for. Each slice has its own id, so a claim
-- already there is another run's: left as it is here, and refused by the check that follows.
INSERT INTO {{state}}.dlt_load_registrations (loads_table, load_id, table_name, run_id, registered_at)
SELECT {{loads_name}}, {{load_id}}, {{table_name}}, {{run_id}}, {{now}} FROM (SELECT 1 AS one) AS x
WHERE {{changed}} > 0 AND NOT EXISTS (SELECT 1 FROM {{state}}.dlt_load_registrations AS r WHERE r.loads_table = {{loads_name}} AND r.load_id = {{load_id}});
