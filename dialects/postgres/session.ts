/**
 * What every PostgreSQL session of migrate's starts with (driver.ts runs them), and the printed plan for psql: UTC,
 * the file's encoding, and standard strings, on which stringLiteralStandard (and the layout of long statements)
 * rely: a backslash in '…' is itself. It is the default since PostgreSQL 9.1, but a server or a role may set it off,
 * and then a value holding a backslash would be written as something else.
 */
export const POSTGRES_SESSION_SETUP: readonly string[] = Object.freeze(["SET TIME ZONE 'UTC'", "SET client_encoding = 'UTF8'", 'SET standard_conforming_strings = on']);
