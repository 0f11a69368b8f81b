-- A snapshot retire took: a table snapshot is dropped as one (DROP TABLE refuses it); gone already if a
-- --drop-snapshot was stopped after its DROP, so IF EXISTS.
DROP SNAPSHOT TABLE IF EXISTS {{table}};
