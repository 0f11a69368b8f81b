-- A window's validation mark is rewritten whole: cleared, then recorded again.
DELETE FROM {{state}}.validations WHERE table_name = {{table_name}} AND window_key = {{window_key}};
