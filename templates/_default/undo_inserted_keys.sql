-- The keys the run inserted into this window: the target rows still carrying the load id the slice wrote them with
-- (each slice has its own), less those it replaced (their pre-images are listed already). A row changed since by
-- live ingest carries another load id and is not listed: it stays as it is.
INSERT INTO {{preimages}} (_theseus_run_id, _theseus_window, _theseus_change, {{key_columns}})
SELECT {{run_id}}, {{window_key}}, 'inserted', {{t_keys}}
FROM {{target}} AS t
WHERE {{same_load}}
  AND NOT EXISTS (
    SELECT 1 FROM {{preimages}} AS p
    WHERE p._theseus_run_id = {{run_id}} AND p._theseus_window = {{window_key}} AND {{key_match_tp}}
  );
