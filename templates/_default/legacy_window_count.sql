SELECT count(*) AS legacy_rows FROM {{legacy}} WHERE {{window}};
