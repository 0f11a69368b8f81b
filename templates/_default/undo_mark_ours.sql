-- Still as the run wrote it: the key's row in the target matches legacy's row of the window value for
-- value{{#load_id}}, under the load id the run wrote it with{{/load_id}}. Anything else stays 'kept' and is not touched.
UPDATE {{preimages}} AS p
SET _theseus_undo = 'undo'
WHERE p._theseus_run_id = {{run_id}} AND p._theseus_window = {{window_key}}
  AND EXISTS (
    SELECT 1 FROM {{target}} AS t
    JOIN (
{{source}}
    ) AS s ON {{key_match_ts}}
    WHERE {{key_match_tp}} AND {{ours}}
  );
