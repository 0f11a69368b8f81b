UPDATE {{state}}.runs SET ended_at = {{now}}, outcome = {{outcome}}, error = {{error}} WHERE run_id = {{run_id}};
