-- scd2: the current versions of the slice's records that a later version follows, each with the valid_from of
-- the next one (grouped, so engines that cannot read the updated table in its own UPDATE materialize it).
SELECT {{o_record_key}}, o.{{valid_from}} AS this_from, min(n.{{valid_from}}) AS next_from
FROM {{target}} AS o JOIN {{target}} AS n ON {{o_n_match}} AND n.{{valid_from}} > o.{{valid_from}}
WHERE {{o_active}} AND EXISTS (SELECT 1 FROM (
{{source}}
) AS s WHERE {{o_s_match}})
GROUP BY {{o_record_key}}, o.{{valid_from}}
