-- The staging table of {{target_name}} (strategy: staging), LIKE it: each column's collation (which decides which keys
-- are equal) and its indexes are copied. The backfill writes it, migrate promote moves it into the target.
CREATE TABLE {{table}} LIKE {{target_name}};
