-- Put back the rows the run replaced, whole, as they were before it: where the delete above removed the run's
-- version (a key the target still holds was changed since, and keeps its row).
INSERT INTO {{target}} ({{columns}})
SELECT {{p_columns}}
FROM {{preimages}} AS p
WHERE p._theseus_run_id = {{run_id}} AND p._theseus_window = {{window_key}} AND p._theseus_change = 'updated' AND p._theseus_undo = 'undo'
  AND NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match_tp}});
