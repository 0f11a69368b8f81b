SELECT archive_name FROM {{state}}.archive_drops WHERE table_name = {{p1}} AND archive_name = {{p2}};
