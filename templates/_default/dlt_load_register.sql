-- As dlt's complete_load() does after a load package's data: one row, status 0 (completed), now in UTC,
-- the dlt schema's name and version hash. Only where this slice claimed the registration (bound: 1).
INSERT INTO {{loads}} ({{c_load_id}}, {{c_schema_name}}, {{c_status}}, {{c_inserted_at}}, {{c_schema_version_hash}})
SELECT {{load_id}}, {{schema_name}}, 0, {{now}}, {{version_hash}} FROM (SELECT 1 AS one) AS x WHERE {{p1}} = 1;
