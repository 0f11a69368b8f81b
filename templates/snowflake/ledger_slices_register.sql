-- Every window of this run gets a ledger row ('pending' unless it has one already). Primary keys are not
-- enforced, so "unless it has one" is a MERGE that only inserts; MERGEs on one table serialize on its lock.
MERGE INTO {{state}}.slices AS l
USING (SELECT * FROM (VALUES {{rows}}) AS v (table_name, window_key, window_start, window_end, status)) AS s
ON l.table_name = s.table_name AND l.window_key = s.window_key
WHEN NOT MATCHED THEN INSERT (table_name, window_key, window_start, window_end, status) VALUES (s.table_name, s.window_key, s.window_start, s.window_end, s.status);
