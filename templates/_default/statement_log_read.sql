-- The statements one run executed, in order, each in its parts.
SELECT seq, part, unit_title, intent, started_at, duration_ms, rows_changed, error, bound_values, sql_text
FROM {{state}}.statement_log
WHERE run_id = {{p1}}
ORDER BY seq, part;
