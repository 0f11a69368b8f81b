-- dlt's stored schemas, newest first: the newest one holding the target names the dlt schema its loads belong to.
SELECT schema_name, version_hash, {{schema}} AS stored_schema FROM {{versions}} ORDER BY inserted_at DESC, {{version}} DESC;
