-- Remove the run's rows that are still as it wrote them (asked again here, row by row: a live write since the
-- marking keeps its row): those it inserted go, those it replaced come back below.
DELETE FROM {{target}} AS t
WHERE EXISTS (
  SELECT 1 FROM {{preimages}} AS p
  WHERE p._theseus_run_id = {{run_id}} AND p._theseus_window = {{window_key}} AND p._theseus_undo = 'undo' AND {{key_match_tp}}
)
  AND EXISTS (
    SELECT 1 FROM (
{{source}}
    ) AS s
    WHERE {{key_match_ts}} AND {{ours}}
  );
