-- Which of the run's rows are still as it wrote them. First every listed row is taken as changed since ('kept');
-- the two statements below then mark those still as written ('undo') and those deleted since ('gone').
UPDATE {{preimages}}
SET _theseus_undo = 'kept'
WHERE _theseus_run_id = {{run_id}} AND _theseus_window = {{window_key}};
