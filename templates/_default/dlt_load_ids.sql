-- The loads a dlt dataset has registered: a backfill's load id must come after every one of them.
SELECT load_id FROM {{loads}};
