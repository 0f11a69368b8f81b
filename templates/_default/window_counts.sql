SELECT{{#legacy}}
  (SELECT count(*) FROM {{legacy}} WHERE {{window}}) AS legacy_rows,{{/legacy}}
  (SELECT count(*) FROM (
{{source}}
  ) AS s WHERE NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match}})) AS to_insert;
