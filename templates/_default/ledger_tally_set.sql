UPDATE {{state}}.slice_tallies
SET {{assignments}}
WHERE table_name = {{table_name}} AND window_key = {{window_key}} AND run_id = {{run_id}};
