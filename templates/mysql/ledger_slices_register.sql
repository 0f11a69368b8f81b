-- Every window of this run gets a ledger row ('pending' unless it has one already); the no-op update keeps an existing row as it is.
INSERT INTO {{state}}.slices (table_name, window_key, window_start, window_end, status)
VALUES {{rows}}
ON DUPLICATE KEY UPDATE status = status;
