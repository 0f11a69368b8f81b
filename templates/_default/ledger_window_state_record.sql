UPDATE {{state}}.window_states SET {{column}} = {{p1}} WHERE table_name = {{table_name}} AND window_key = {{window_key}};
