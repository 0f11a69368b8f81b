-- scd2: a version is current only until the next version of its record. Each
-- current version of this window's records that a later version follows (an
-- older legacy version, or one older than what the live pipeline loaded since)
-- is closed at the next version's valid_from, as dlt would have closed it.
-- MySQL's UPDATE has no FROM: the versions are joined in. The grouped derived
-- table is materialized, so it may read the table being updated.
UPDATE {{target}} AS c JOIN (
  SELECT {{o_record_key}}, o.{{valid_from}} AS this_from, min(n.{{valid_from}}) AS next_from
  FROM {{target}} AS o JOIN {{target}} AS n ON {{o_n_match}} AND n.{{valid_from}} > o.{{valid_from}}
  WHERE {{o_active}} AND EXISTS (SELECT 1 FROM (
{{source}}
  ) AS s WHERE {{o_s_match}})
  GROUP BY {{o_record_key}}, o.{{valid_from}}
) AS x ON {{c_x_match}} AND c.{{valid_from}} = x.this_from
SET c.{{valid_to}} = x.next_from;
