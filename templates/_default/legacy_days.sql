-- Legacy rows per UTC day of the cursor (NULL: rows without a cursor): what validated windows must cover before
-- cutover, and what done windows must account for before a backfill calls the table complete.
SELECT {{day}} AS day_number, count(*) AS row_count FROM {{legacy}} GROUP BY {{day}};
