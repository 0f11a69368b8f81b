SELECT phase, archive_name FROM {{state}}.table_phases WHERE table_name = {{p1}};
