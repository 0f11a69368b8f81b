-- How many of the windows a plan counted as validated the ledger still marks validated (cutover's guard).
SELECT count(*) AS still_validated FROM {{state}}.validations
WHERE table_name = {{table_name}} AND status = 'validated' AND window_key IN ({{window_keys}});
