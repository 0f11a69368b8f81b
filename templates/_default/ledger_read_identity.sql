SELECT legacy_table, target_table FROM {{state}}.table_identity WHERE table_name = {{p1}};
