SELECT
  sum(CASE WHEN {{raw_key_null}} THEN 1 ELSE 0 END) AS null_key_rows,{{#cursor}}
  sum(CASE WHEN {{cursor}} IS NULL THEN 1 ELSE 0 END) AS null_cursor_rows,
  min({{cursor}}) AS min_cursor,
  max({{cursor}}) AS max_cursor,{{/cursor}}{{#flagged}}
  sum(CASE WHEN {{flagged}} THEN 1 ELSE 0 END) AS deleted_rows,{{/flagged}}
  count(*) AS total_rows
FROM {{legacy}};
