-- The slice's counts before its upsert, kept in its tally (slice_tallies): the keys the target does not hold yet,
-- legacy's rows of the window where nothing else counted them, and the rows the upsert will update where the engine
-- gives no count of its own (exact there: nothing else writes these rows while the slice runs; plan/backfill.ts upsertSteps).
UPDATE {{tally_table}}
SET rows_inserted = (SELECT count(*) FROM (
{{source}}
  ) AS s WHERE NOT EXISTS (SELECT 1 FROM {{target}} AS t WHERE {{key_match}})){{#legacy}},
  legacy_rows = (SELECT count(*) FROM {{legacy}} WHERE {{window}}){{/legacy}}{{#update_when}},
  rows_updated = (SELECT count(*) FROM (
{{source}}
  ) AS s JOIN {{target}} AS t ON {{update_match}} WHERE {{update_when}}){{/update_when}}
WHERE {{tally_row}};
