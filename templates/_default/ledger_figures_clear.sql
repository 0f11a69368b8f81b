-- A window keeps the figures of its latest slice only.
DELETE FROM {{state}}.window_figures WHERE table_name = {{table_name}} AND window_key = {{window_key}};
