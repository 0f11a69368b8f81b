-- Who holds the operator lock on a table. No ON CONFLICT on the engines using these templates (Snowflake,
-- BigQuery), and a primary key is not enforced, so a plain INSERT could leave two rows for one table: MERGE on the
-- table name instead.
MERGE INTO {{state}}.locks AS l
USING (SELECT {{p1}} AS table_name, {{p2}} AS run_id, {{p3}} AS command, {{p4}} AS operator) AS s
ON l.table_name = s.table_name
WHEN MATCHED THEN UPDATE SET run_id = s.run_id, command = s.command, operator = s.operator, acquired_at = {{now}}
WHEN NOT MATCHED THEN INSERT (table_name, run_id, command, operator, acquired_at) VALUES (s.table_name, s.run_id, s.command, s.operator, {{now}});
