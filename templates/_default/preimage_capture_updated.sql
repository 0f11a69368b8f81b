-- Before the upsert, in its transaction: the target rows it will replace (those the source is at least as new as
-- and differs from, the upsert's own condition), kept whole for migrate undo{{#lock}}; locked, so no live write
-- slips between this copy and the upsert{{/lock}}.
INSERT INTO {{preimages}} (_theseus_run_id, _theseus_window, _theseus_change, {{columns}})
SELECT {{run_id}}, {{window_key}}, 'updated', {{t_columns}}
FROM {{target}} AS t
JOIN (
{{source}}
) AS s ON {{key_match}}
WHERE {{update_when}}{{#lock}}
{{lock}}{{/lock}};
