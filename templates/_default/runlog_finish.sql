UPDATE {{state}}.runs SET ended_at = {{now}}, outcome = {{p1}}, error = {{p2}} WHERE run_id = {{p3}};
