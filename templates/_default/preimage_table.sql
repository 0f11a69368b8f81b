-- The rows backfill slices replaced in {{target_name}} (whole, as they were) and the keys they inserted, by run and
-- window, so `migrate undo` can put the target back. Every column nullable: an inserted key keeps its key alone.
CREATE TABLE IF NOT EXISTS {{table}} (
  _theseus_run_id {{text}} NOT NULL,
  _theseus_window {{text}} NOT NULL,
  _theseus_change {{text}} NOT NULL,
  _theseus_undo {{text}},
  {{columns}}
);
