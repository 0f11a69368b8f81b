-- A Definition-of-Done check as a statement that fails, so a client running the printed plan as it is (psql, the
-- DuckDB CLI) stops where migrate would: each row of the violations is the message cast to an integer, which the
-- engine refuses, naming the message in its error. No violation, no row: nothing is cast. concat(), not ||:
-- PostgreSQL folds an immutable expression of constants while planning, and would refuse the cast with no row at all.
SELECT CAST(concat({{message}}, CAST(v.found AS {{text}})) AS {{bigint}}) AS assertion_failed FROM ({{violations}}) AS v;
