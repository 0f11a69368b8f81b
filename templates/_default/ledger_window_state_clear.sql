DELETE FROM {{state}}.window_states WHERE table_name = {{table_name}} AND window_key = {{window_key}};
