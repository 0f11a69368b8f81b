-- INSERT … ON CONFLICT on the key (see _default/slice_on_conflict.sql), counting
-- what it did in the same statement instead of probing the target beforehand:
-- RETURNING yields the rows inserted or updated (never the ones left alone), and
-- a row version this statement inserted has xmax = 0, an updated one does not.
WITH upserted AS (
INSERT INTO {{target}} AS t ({{insert_columns}})
SELECT {{insert_values}} FROM (
{{source}}
) AS s
ON CONFLICT ({{key_columns}}) DO {{#update_set}}UPDATE SET {{update_set}}
WHERE {{update_when}}{{/update_set}}{{^update_set}}NOTHING{{/update_set}}
RETURNING (t.xmax = 0) AS inserted
)
SELECT count(*) AS rows_changed, count(*) FILTER (WHERE inserted) AS to_insert FROM upserted;
