-- As dlt's complete_load() does after a load package's data: one row, status 0 (completed), now in UTC,
-- the dlt schema's name and version hash. Only where this slice claimed the registration: this run holds the
-- load id's claim, which only this slice makes (each slice has its own id; a failed attempt's rolled back).
INSERT INTO {{loads}} ({{c_load_id}}, {{c_schema_name}}, {{c_status}}, {{c_inserted_at}}, {{c_schema_version_hash}})
SELECT {{load_id}}, {{schema_name}}, 0, {{now}}, {{version_hash}} FROM (SELECT 1 AS one) AS x
WHERE EXISTS (SELECT 1 FROM {{state}}.dlt_load_registrations AS r WHERE r.loads_table = {{loads_name}} AND r.load_id = {{load_id}} AND r.run_id = {{run_id}});
