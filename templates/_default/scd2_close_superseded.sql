-- scd2: a version is current only until the next version of its record. Each
-- current version of this window's records that a later version follows (an
-- older legacy version, or one older than what the live pipeline loaded since)
-- is closed at the next version's valid_from, as dlt would have closed it.
UPDATE {{target}} AS c SET {{valid_to}} = x.next_from
FROM (
{{superseded}}
) AS x
WHERE {{c_x_match}} AND c.{{valid_from}} = x.this_from;
