-- Legacy rows per UTC day of the cursor (NULL: rows without a cursor): what validated windows must cover before
-- cutover, and what done windows must account for before a backfill calls the table complete. With flagged
-- (verify, where dlt's hard_delete applies), also the rows carrying dlt's delete flag, counted in the same pass.
SELECT {{day}} AS day_number, count(*) AS row_count{{#flagged}},
  sum(CASE WHEN {{flagged}} THEN 1 ELSE 0 END) AS deleted_count{{/flagged}}
FROM {{legacy}} GROUP BY {{day}};
