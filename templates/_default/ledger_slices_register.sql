-- Every window of this run gets a ledger row ('pending' unless it has one already), so a slice is then claimed by a compare-and-set on its row.
INSERT INTO {{state}}.slices (table_name, window_key, window_start, window_end, status)
VALUES {{rows}}
ON CONFLICT (table_name, window_key) DO NOTHING;
