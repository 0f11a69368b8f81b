-- Which of the run's rows are still as it wrote them: the key's row in the target matches legacy's row of the
-- window value for value{{#load_id}}, under the load id the run wrote it with{{/load_id}} ('undo'). A row changed since
-- (by live ingest or a later run) is 'kept', a row deleted since is 'gone': neither is touched.
UPDATE {{preimages}} AS p
SET _theseus_undo = CASE
  WHEN NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match_tp}}) THEN 'gone'
  WHEN EXISTS (
    SELECT 1 FROM {{target}} AS t
    JOIN (
{{source}}
    ) AS s ON {{key_match_ts}}
    WHERE {{key_match_tp}} AND {{ours}}
  ) THEN 'undo'
  ELSE 'kept'
END
WHERE p._theseus_run_id = {{run_id}} AND p._theseus_window = {{window_key}};
