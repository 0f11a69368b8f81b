-- Put back the rows the run replaced, whole, as they were before it.
INSERT INTO {{target}} ({{columns}})
SELECT {{p_columns}}
FROM {{preimages}} AS p
WHERE p._theseus_run_id = {{run_id}} AND p._theseus_window = {{window_key}} AND p._theseus_change = 'updated' AND p._theseus_undo = 'undo';
