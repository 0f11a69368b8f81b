-- One stored schema's text (bound: schema name, version hash).
SELECT {{schema}} AS stored_schema FROM {{versions}} WHERE schema_name = {{p1}} AND version_hash = {{p2}};
