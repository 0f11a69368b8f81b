-- Every window of this run gets a ledger row ('pending' unless it has one already). PRIMARY KEY is not enforced,
-- so "unless it has one" is a MERGE that only inserts. BigQuery has no VALUES list in FROM: the rows are an
-- array of structs, the first typed, the others tuples of the same shape.
MERGE INTO {{state}}.slices AS l
USING (SELECT * FROM UNNEST([STRUCT<table_name {{text}}, window_key {{text}}, window_start {{timestamp}}, window_end {{timestamp}}, status {{text}}>{{rows}}])) AS s
ON l.table_name = s.table_name AND l.window_key = s.window_key
WHEN NOT MATCHED THEN INSERT (table_name, window_key, window_start, window_end, status) VALUES (s.table_name, s.window_key, s.window_start, s.window_end, s.status);
