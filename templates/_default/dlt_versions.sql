-- dlt's stored schemas, newest first, without their text: the newest one holding the target names the dlt
-- schema its loads belong to, and each schema is read on its own only until that one is found.
SELECT {{c_schema_name}} AS schema_name, {{c_version_hash}} AS version_hash, {{c_version}} AS version FROM {{versions}} ORDER BY {{c_inserted_at}} DESC, {{c_version}} DESC;
