-- verify's fast pass, one scan per table: per UTC day of the cursor, the rows,
-- the rows without a key, and the sums of the keyed rows' checksums and metrics.
SELECT {{day}} AS day_number,
  count(*) AS row_count,
  sum(CASE WHEN {{key_null}} THEN 1 ELSE 0 END) AS null_key_rows,
  sum(CASE WHEN {{key_null}} THEN 0 ELSE {{hash}} END) AS checksum{{#metrics}},
  {{metrics}}{{/metrics}}
FROM (
{{rows}}
) AS r
GROUP BY {{day}};
