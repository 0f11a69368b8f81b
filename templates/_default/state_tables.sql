-- The ledger: one schema of Theseus's own in the warehouse. Resuming reads it, never process memory.
-- key_options: what follows a PRIMARY KEY where the engine needs it (BigQuery: NOT ENFORCED, the only kind it has).
CREATE SCHEMA IF NOT EXISTS {{state}};
CREATE TABLE IF NOT EXISTS {{state}}.table_phases (
  table_name {{text}} NOT NULL,
  phase {{text}} NOT NULL,
  archive_name {{text}},
  updated_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name){{#key_options}} {{key_options}}{{/key_options}}
);
CREATE TABLE IF NOT EXISTS {{state}}.slices (
  table_name {{text}} NOT NULL,
  window_key {{text}} NOT NULL,
  window_start {{timestamp}},
  window_end {{timestamp}},
  status {{text}} NOT NULL,
  legacy_rows {{bigint}},
  rows_inserted {{bigint}},
  rows_updated {{bigint}},
  run_id {{text}},
  started_at {{timestamp}},
  ended_at {{timestamp}},
  error {{longText}},
  PRIMARY KEY (table_name, window_key){{#key_options}} {{key_options}}{{/key_options}}
);
CREATE TABLE IF NOT EXISTS {{state}}.runs (
  run_id {{text}} NOT NULL,
  command {{text}} NOT NULL,
  arguments {{longText}},
  tool_version {{text}},
  operator {{text}},
  started_at {{timestamp}} NOT NULL,
  ended_at {{timestamp}},
  outcome {{text}} NOT NULL,
  error {{longText}},
  PRIMARY KEY (run_id){{#key_options}} {{key_options}}{{/key_options}}
);
CREATE TABLE IF NOT EXISTS {{state}}.locks (
  table_name {{text}} NOT NULL,
  run_id {{text}} NOT NULL,
  command {{text}},
  operator {{text}},
  acquired_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name){{#key_options}} {{key_options}}{{/key_options}}
);
CREATE TABLE IF NOT EXISTS {{state}}.validations (
  table_name {{text}} NOT NULL,
  window_key {{text}} NOT NULL,
  status {{text}} NOT NULL,
  legacy_rows {{bigint}},
  target_rows {{bigint}},
  legacy_checksum {{text}},
  target_checksum {{text}},
  sums {{longText}},
  failures {{longText}},
  run_id {{text}},
  checked_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name, window_key){{#key_options}} {{key_options}}{{/key_options}}
);
-- retire --drop records its intent here before dropping, so a drop interrupted before the ledger says so can be finished.
CREATE TABLE IF NOT EXISTS {{state}}.archive_drops (
  table_name {{text}} NOT NULL,
  archive_name {{text}} NOT NULL,
  run_id {{text}},
  requested_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name, archive_name){{#key_options}} {{key_options}}{{/key_options}}
);
-- Zero-copy snapshots of legacy that retire took where the engine clones (Snowflake), until retire --drop --drop-snapshot.
CREATE TABLE IF NOT EXISTS {{state}}.retire_snapshots (
  table_name {{text}} NOT NULL,
  snapshot_name {{text}} NOT NULL,
  run_id {{text}},
  taken_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name, snapshot_name){{#key_options}} {{key_options}}{{/key_options}}
);
-- Which legacy and target tables a table id stands for: a ledger shared by two configs never mixes two migrations under one id.
CREATE TABLE IF NOT EXISTS {{state}}.table_identity (
  table_name {{text}} NOT NULL,
  legacy_table {{longText}} NOT NULL,
  target_table {{longText}} NOT NULL,
  recorded_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name){{#key_options}} {{key_options}}{{/key_options}}
);
-- Each run's counts per window (a newer table: created here on ledgers that predate it).
CREATE TABLE IF NOT EXISTS {{state}}.slice_runs (
  table_name {{text}} NOT NULL,
  window_key {{text}} NOT NULL,
  run_id {{text}} NOT NULL,
  legacy_rows {{bigint}},
  rows_inserted {{bigint}},
  rows_updated {{bigint}},
  ended_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name, window_key, run_id){{#key_options}} {{key_options}}{{/key_options}}
);
-- The dlt loads Theseus registered: one `_dlt_loads` row per load id and dataset, claimed by the first slice that changes rows.
CREATE TABLE IF NOT EXISTS {{state}}.dlt_load_registrations (
  loads_table {{text}} NOT NULL,
  load_id {{text}} NOT NULL,
  table_name {{text}} NOT NULL,
  run_id {{text}} NOT NULL,
  registered_at {{timestamp}} NOT NULL,
  PRIMARY KEY (loads_table, load_id){{#key_options}} {{key_options}}{{/key_options}}
);
-- How a window's latest slice wrote it (the fast path, src/plan/windowState.ts): legacy's rows and key range, the
-- state the slice found (fresh, in_sync, differs), and whether its rows were then checked one by one. The slice's
-- own statements read it, so each runs as printed, in order, with nothing bound but this bookkeeping.
CREATE TABLE IF NOT EXISTS {{state}}.window_states (
  table_name {{text}} NOT NULL,
  window_key {{text}} NOT NULL,
  legacy_rows {{bigint}},
  key_lo {{text}},
  key_hi {{text}},
  state {{text}},
  row_check {{text}},
  recorded_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name, window_key){{#key_options}} {{key_options}}{{/key_options}}
);
-- What each backfill slice changed, for `migrate undo` (src/plan/preimages.ts): the load id it wrote its rows with,
-- whether the window was fresh (every key of legacy's window inserted, no pre-image needed), its counts; then,
-- once undone or pruned, when and by which run. The replaced rows themselves are in the table's preimages table.
CREATE TABLE IF NOT EXISTS {{state}}.undo_windows (
  table_name {{text}} NOT NULL,
  window_key {{text}} NOT NULL,
  run_id {{text}} NOT NULL,
  load_id {{text}},
  fresh {{text}},
  rows_inserted {{bigint}},
  rows_updated {{bigint}},
  recorded_at {{timestamp}} NOT NULL,
  undone_at {{timestamp}},
  undone_by {{text}},
  kept_rows {{bigint}},
  pruned_at {{timestamp}},
  PRIMARY KEY (table_name, window_key, run_id){{#key_options}} {{key_options}}{{/key_options}}
);
-- Reviewers' approvals (migrate verify --approve): who approved which validated state of a table, when, after which
-- verify run; cutover.require_approval holds cutover until the current validated state has one (src/lifecycle/approval.ts).
CREATE TABLE IF NOT EXISTS {{state}}.approvals (
  table_name {{text}} NOT NULL,
  verify_run_id {{text}} NOT NULL,
  approver {{text}} NOT NULL,
  operators {{text}},
  self_approved {{text}},
  fingerprint {{text}} NOT NULL,
  checksums {{longText}},
  approved_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name, verify_run_id){{#key_options}} {{key_options}}{{/key_options}}
);
-- The audit log: each statement a run's plan executed, with its unit, duration and rows changed (migrate log --sql).
-- A long statement is kept in parts of a few thousand characters (part 0, 1, …), so every engine's text type holds it.
CREATE TABLE IF NOT EXISTS {{state}}.statement_log (
  run_id {{text}} NOT NULL,
  seq {{bigint}} NOT NULL,
  part {{bigint}} NOT NULL,
  unit_title {{longText}},
  intent {{longText}},
  started_at {{timestamp}} NOT NULL,
  duration_ms {{bigint}},
  rows_changed {{bigint}},
  error {{longText}},
  bound_values {{longText}},
  sql_text {{longText}},
  PRIMARY KEY (run_id, seq, part){{#key_options}} {{key_options}}{{/key_options}}
);
-- The figures of the slice a run is running on a window (LedgerWriter.tallySetStep): what the window's ledger row said
-- when the run claimed it, then the slice's counts, each written by the statement that measured it. The slice's
-- closing statements read them here, so the printed plan runs as it is in the engine's own client.
CREATE TABLE IF NOT EXISTS {{state}}.slice_tallies (
  table_name {{text}} NOT NULL,
  window_key {{text}} NOT NULL,
  run_id {{text}} NOT NULL,
  prior_status {{text}},
  prior_run_id {{text}},
  prior_rows_inserted {{bigint}},
  prior_rows_updated {{bigint}},
  legacy_rows {{bigint}},
  rows_inserted {{bigint}},
  rows_updated {{bigint}},
  fresh_inserted {{bigint}},
  recorded_at {{timestamp}} NOT NULL,
  PRIMARY KEY (table_name, window_key, run_id){{#key_options}} {{key_options}}{{/key_options}}
);
-- What a backfill slice measured (src/ledger/writes.ts figuresRecordStep): its comparison of the window's two sides,
-- the sums of a fresh window's INSERT, its row-by-row check; one row per figure, as text. The slice's own statements
-- decide from them, so the printed plan runs as it is in a client; migrate reads them back for its checks. A
-- window keeps its latest slice's: each slice clears them first.
CREATE TABLE IF NOT EXISTS {{state}}.window_figures (
  table_name {{text}} NOT NULL,
  window_key {{text}} NOT NULL,
  run_id {{text}} NOT NULL,
  measure {{text}} NOT NULL,
  item {{text}} NOT NULL,
  value {{longText}},
  PRIMARY KEY (table_name, window_key, measure, item){{#key_options}} {{key_options}}{{/key_options}}
);
