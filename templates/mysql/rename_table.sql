-- RENAME TABLE takes the new name qualified; an unqualified one would move the table into the session's database.
RENAME TABLE {{table}} TO {{new_qualified}};
