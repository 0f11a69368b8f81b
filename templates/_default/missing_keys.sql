SELECT
  (SELECT count(*) FROM ({{legacy_keys}}) AS a
    WHERE {{a_key_not_null}} AND NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match}})) AS missing_keys,
  (SELECT count(*) FROM ({{legacy_keys}}) AS a WHERE {{a_key_null}}) AS null_key_rows;
