-- scd2: a version is current only until the next version of its record. Each
-- current version of this window's records that a later version follows (an
-- older legacy version, or one older than what the live pipeline loaded since)
-- is closed at the next version's valid_from, as dlt would have closed it.
-- MySQL's UPDATE has no FROM: the versions are joined in. The grouped derived
-- table is materialized, so it may read the table being updated.
UPDATE {{target}} AS c JOIN (
{{superseded}}
) AS x ON {{c_x_match}} AND c.{{valid_from}} = x.this_from
SET c.{{valid_to}} = x.next_from;
