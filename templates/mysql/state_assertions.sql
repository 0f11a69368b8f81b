-- The table assertion_guard.sql inserts a failed check into: its CHECK refuses every row (CHECK is enforced since
-- MariaDB 10.2 and MySQL 8.0.16), so it stays empty and a failed check stops the statement.
CREATE TABLE IF NOT EXISTS {{state}}.assertion_failures (
  run_id {{text}},
  assertion {{longText}},
  found {{text}},
  failed_at {{timestamp}},
  CONSTRAINT failed_assertion CHECK (assertion IS NULL)
);
