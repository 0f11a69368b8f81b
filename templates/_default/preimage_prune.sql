-- migrate prune: the pre-images of runs started before the cut-off go; those runs can no longer be undone.
DELETE FROM {{preimages}}
WHERE _theseus_run_id IN (SELECT r.run_id FROM {{state}}.runs AS r WHERE r.started_at < {{before}});
