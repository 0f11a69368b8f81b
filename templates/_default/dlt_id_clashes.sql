-- Target rows that already hold the _dlt_id a legacy row would get (md5 of its key) under another key: with
-- _dlt_id unique, the upsert would fail on them.
SELECT count(*) AS clashes FROM (
{{legacy_keys}}
) AS s JOIN {{target}} AS t ON t.{{dlt_id}} = {{id_of_s}}
WHERE NOT ({{key_match}});
