SELECT {{columns}} FROM {{staging}} AS p WHERE {{window}}
