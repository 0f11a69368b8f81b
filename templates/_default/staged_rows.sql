SELECT {{columns}} FROM {{staging}} AS p WHERE {{window}} AND EXISTS ({{legacy_key}})
