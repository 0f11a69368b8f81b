UPDATE {{state}}.window_states SET {{column}} = {{value}} WHERE table_name = {{table_name}} AND window_key = {{window_key}};
