-- A run whose process ended without recording how (SIGKILL, a second Ctrl-C, a crash): its end time is unknown.
UPDATE {{state}}.runs SET outcome = 'interrupted', error = {{p1}} WHERE run_id = {{p2}} AND outcome = 'running';
