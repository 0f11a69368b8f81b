-- MySQL and MariaDB turn a bad cast into a warning, not an error: a violation is instead a row inserted into a table
-- whose CHECK refuses every row (state_assertions.sql), and the refusal stops the client (mariadb < plan.sql) there.
INSERT INTO {{state}}.assertion_failures (run_id, assertion, found, failed_at)
SELECT {{run_id}}, {{message}}, CAST(v.found AS CHAR), {{now}} FROM ({{violations}}) AS v;
