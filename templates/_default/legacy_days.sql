-- The UTC days legacy has rows on (NULL: rows without a cursor): what validated windows must cover before cutover.
SELECT DISTINCT {{day}} AS day_number FROM {{legacy}};
