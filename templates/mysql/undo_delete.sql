-- Remove the run's rows that are still as it wrote them (asked again here, row by row: a live write since the
-- marking keeps its row): those it inserted go, those it replaced come back below.
-- MariaDB's multi-table form, naming the table itself: an alias in the delete list needs a default database, and the
-- single-table form runs the subquery once per target row.
DELETE {{target}} FROM {{target}}
WHERE EXISTS (
  SELECT 1 FROM {{preimages}} AS p
  WHERE p._theseus_run_id = {{run_id}} AND p._theseus_window = {{window_key}} AND p._theseus_undo = 'undo' AND {{key_match_qp}}
)
  AND EXISTS (
    SELECT 1 FROM (
{{source}}
    ) AS s
    WHERE {{key_match_qs}} AND {{ours_q}}
  );
