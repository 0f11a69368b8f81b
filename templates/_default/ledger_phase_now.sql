-- A table's phase as the ledger has it now ("new" where it has none): what a plan's phase guard reads.
SELECT coalesce((SELECT phase FROM {{state}}.table_phases WHERE table_name = {{table_name}}), 'new') AS phase;
