-- What a guard (assertion_guard.sql) fails on: the check's own query where its rule is broken, with a number saying
-- how much (found). One row or none.
SELECT {{found}} AS found FROM ({{query}}) AS q WHERE {{violated}};
