-- A snapshot retire took: gone already if a --drop-snapshot was stopped after its DROP, so IF EXISTS.
DROP TABLE IF EXISTS {{table}};
