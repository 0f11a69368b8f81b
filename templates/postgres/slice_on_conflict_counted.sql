-- INSERT … ON CONFLICT on the key (see _default/slice_on_conflict.sql), counting what it did in the same statement
-- instead of probing the target beforehand, into the slice's tally: RETURNING yields the rows inserted or updated
-- (never the ones left alone), and a row version this statement inserted has xmax = 0, an updated one does not.
WITH upserted AS (
INSERT INTO {{target}} AS t ({{insert_columns}})
SELECT {{insert_values}} FROM (
{{source}}
) AS s
ON CONFLICT ({{key_columns}}) DO {{#update_set}}UPDATE SET {{update_set}}
WHERE {{update_when}}{{/update_set}}{{^update_set}}NOTHING{{/update_set}}
RETURNING (t.xmax = 0) AS inserted
)
UPDATE {{tally_table}}
SET rows_inserted = (SELECT count(*) FROM upserted WHERE inserted), rows_updated = (SELECT count(*) FROM upserted WHERE NOT inserted)
WHERE {{tally_row}};
