-- verify's fast pass, one scan per table: per UTC day of the cursor, the rows,
-- the rows without a key, and the keyed rows' checksum and metric sums.
SELECT {{day}} AS day_number,
  count(*) AS row_count,
  sum(CASE WHEN {{key_null}} THEN 1 ELSE 0 END) AS null_key_rows,
  {{checksum}} AS checksum{{#metrics}},
  {{metrics}}{{/metrics}}
FROM (
{{rows}}
) AS r
GROUP BY {{group_by}};
