-- INSERT … ON CONFLICT on the key (a unique index on it is required): PostgreSQL
-- before 15 has no MERGE, and from 15 on this is still the choice when the key
-- is indexed, because it stays right while live ingest inserts the same key. The source is de-duplicated by key; a conflicting
-- row is updated only when it differs (and, with updated_at, when the source
-- row is at least as new), so a re-run changes nothing.
INSERT INTO {{target}} AS t ({{insert_columns}})
SELECT {{insert_values}} FROM (
{{source}}
) AS s
ON CONFLICT ({{key_columns}}) DO {{#update_set}}UPDATE SET {{update_set}}
WHERE {{update_when}}{{/update_set}}{{^update_set}}NOTHING{{/update_set}};
