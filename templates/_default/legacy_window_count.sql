-- A window's legacy rows, with the predicate the slice reads with; labelled when windows are counted together (backfill --plan).
SELECT {{#label}}{{label}} AS window_key, {{/label}}count(*) AS legacy_rows FROM {{legacy}} WHERE {{window}};
