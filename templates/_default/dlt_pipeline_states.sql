-- dlt's pipeline states, newest first (read only, never written): the newest of each pipeline says where its
-- incrementals stand. A pipeline writes a row per state change, so only the newest few are read.
SELECT pipeline_name, {{state}} AS state FROM {{states}} ORDER BY created_at DESC, {{version}} DESC LIMIT {{limit}};
