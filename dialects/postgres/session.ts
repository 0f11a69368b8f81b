/** What every PostgreSQL session of migrate's starts with (driver.ts runs them), and the printed plan for psql: UTC, and the file's encoding. */
export const POSTGRES_SESSION_SETUP: readonly string[] = Object.freeze(["SET TIME ZONE 'UTC'", "SET client_encoding = 'UTF8'"]);
