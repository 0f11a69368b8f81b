-- The window validated as the slice measured it (window_figures, see src/plan/verify.ts): the row-by-row check's
-- figures, or those of the sums that settled it. Reached only when it validates: migrate checked the figures, and
-- a client running the plan stopped at the guard before this otherwise.
INSERT INTO {{state}}.validations (table_name, window_key, status, legacy_rows, target_rows, legacy_checksum, target_checksum, sums, failures, run_id, checked_at)
SELECT {{table_name}}, {{window_key}}, 'validated', {{legacy_rows}}, {{matched_rows}}, {{legacy_checksum}}, {{target_checksum}}, {{sums}}, NULL, {{run_id}}, {{now}}
FROM {{figures}};
