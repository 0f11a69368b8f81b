-- Deleted since (by live ingest): nothing to remove, and the replaced row is not brought back.
UPDATE {{preimages}} AS p
SET _theseus_undo = 'gone'
WHERE p._theseus_run_id = {{run_id}} AND p._theseus_window = {{window_key}}
  AND NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match_tp}});
