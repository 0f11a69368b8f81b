-- One stored schema's text (bound: schema name, version hash).
SELECT {{c_schema}} AS stored_schema FROM {{versions}} WHERE {{c_schema_name}} = {{p1}} AND {{c_version_hash}} = {{p2}};
