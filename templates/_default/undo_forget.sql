-- The window is undone: its pre-images are spent.
DELETE FROM {{preimages}} WHERE _theseus_run_id = {{run_id}} AND _theseus_window = {{window_key}};
