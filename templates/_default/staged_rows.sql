SELECT {{columns}} FROM {{staging}} AS p WHERE {{window}} AND EXISTS (SELECT 1 FROM ({{legacy_keys}}) AS l WHERE {{key_match}})
