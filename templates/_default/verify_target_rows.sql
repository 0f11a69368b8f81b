-- The target's rows as verify sees them (key, day, checksum or normalized columns, metrics).
SELECT {{columns}}
FROM {{target}}
