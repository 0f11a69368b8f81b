-- Forget every row one ledger table holds of a table id (a dropped staging table's windows must not be trusted again).
DELETE FROM {{state}}.{{ledger_table}} WHERE table_name = {{table_name}};
