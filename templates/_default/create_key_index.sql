CREATE UNIQUE INDEX {{index}} ON {{target}} ({{columns}});
