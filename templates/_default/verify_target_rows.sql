-- The target's rows as verify sees them (key, day, checksum, metrics).
SELECT {{columns}}
FROM {{target}}{{#where}}
WHERE {{where}}{{/where}}
