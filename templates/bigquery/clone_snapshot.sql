-- A snapshot of legacy before it is renamed: read-only, billed only for the bytes that later differ from the
-- base, and a point to go back to after the archive is dropped. IF NOT EXISTS: a retire run again after a crash
-- keeps it. With retire.snapshot_days, BigQuery drops it itself once that many days have passed.
CREATE SNAPSHOT TABLE IF NOT EXISTS {{snapshot}} CLONE {{table}}{{#expires_after_days}}
OPTIONS (expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL {{expires_after_days}} DAY)){{/expires_after_days}};
