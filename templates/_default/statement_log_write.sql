-- The audit log: statements a unit ran, many rows per INSERT; every value a literal of the dialect's.
INSERT INTO {{state}}.statement_log (run_id, seq, part, unit_title, intent, started_at, duration_ms, rows_changed, error, bound_values, sql_text)
VALUES {{rows}};
