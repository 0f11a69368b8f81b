-- The loads a dlt dataset has registered: a backfill's load id must come after every one of them.
SELECT {{c_load_id}} AS load_id FROM {{loads}};
