-- The window is fresh (no target row in its key range): a plain INSERT, no conflict to look for. A live writer
-- inserting one of its keys meanwhile makes it fail on the unique key; the slice is then retried, finds the key
-- and upserts.
INSERT INTO {{target}} ({{insert_columns}})
SELECT {{insert_values}} FROM (
{{source}}
) AS s;
