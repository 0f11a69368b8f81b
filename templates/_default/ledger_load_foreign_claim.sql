-- Only for a slice that changed rows (its tally), where the id would be used. Another run holds this load id in this dataset (two runs started in the same microsecond, or a clock pinned
-- with THESEUS_NOW while `_dlt_loads` lost the row): this slice's rows would carry an id registered for other rows.
SELECT count(*) AS foreign_claims FROM {{state}}.dlt_load_registrations
WHERE loads_table = {{loads_name}} AND load_id = {{load_id}} AND run_id <> {{run_id}} AND {{changed}} > 0;
