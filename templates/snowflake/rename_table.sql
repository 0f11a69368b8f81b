-- The new name is qualified: an unqualified one would move the table into the session's current schema.
ALTER TABLE {{table}} RENAME TO {{new_qualified}};
