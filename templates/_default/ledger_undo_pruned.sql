UPDATE {{state}}.undo_windows
SET pruned_at = {{now}}
WHERE table_name = {{table_name}} AND undone_at IS NULL AND pruned_at IS NULL
  AND run_id IN (SELECT r.run_id FROM {{state}}.runs AS r WHERE r.started_at < {{before}});
