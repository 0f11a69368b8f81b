-- dlt's stored schemas, newest first, without their text: the newest one holding the target names the dlt
-- schema its loads belong to, and each schema is read on its own only until that one is found.
SELECT schema_name, version_hash, {{version}} AS version FROM {{versions}} ORDER BY inserted_at DESC, {{version}} DESC;
