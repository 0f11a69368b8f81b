-- A clean end of the run: its holder rows go with its locks (a backfill beside it may have written its own since: that one stays).
DELETE FROM {{state}}.locks WHERE table_name = {{p1}} AND run_id = {{p2}};
