/** What every DuckDB connection of migrate's starts with (driver.ts runs it), and the printed plan: a zoned instant falls on its UTC day whatever the machine's zone (verify groups rows by day). */
export const DUCKDB_SESSION_SETUP: readonly string[] = Object.freeze(["SET TimeZone = 'UTC'"]);
