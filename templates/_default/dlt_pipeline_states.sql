-- dlt's pipeline states, newest first (read only, never written): the newest of each pipeline says where its
-- incrementals stand. A pipeline writes a row per state change, so only the newest few are read.
SELECT {{c_pipeline_name}} AS pipeline_name, {{c_state}} AS state FROM {{states}} ORDER BY {{c_created_at}} DESC, {{c_version}} DESC LIMIT {{limit}};
