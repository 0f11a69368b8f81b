-- Claim the registration of this run's dlt load, if this slice changed rows (bound) and no slice claimed it yet:
-- one `_dlt_loads` row per load id, in the transaction of the first slice whose rows it vouches for.
INSERT INTO {{state}}.dlt_load_registrations (loads_table, load_id, table_name, run_id, registered_at)
SELECT {{loads_name}}, {{load_id}}, {{table_name}}, {{p1}}, {{now}} FROM (SELECT 1 AS one) AS x WHERE {{p2}} > 0
ON CONFLICT (loads_table, load_id) DO NOTHING;
