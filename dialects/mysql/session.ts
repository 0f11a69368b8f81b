/**
 * What every MySQL/MariaDB session of migrate's starts with (driver.ts runs them), and what the printed plan starts
 * with for a client (`mariadb < plan.sql`), whose own session may be in another zone, character set or isolation.
 */
export const MYSQL_SESSION_SETUP: readonly string[] = Object.freeze([
  "SET time_zone = '+00:00'",
  // The character set's default collation, as tables get by default: literals and CASTs must not
  // carry the driver's own collation, or UNIONs with table columns fail with "Illegal mix of collations".
  'SET NAMES utf8mb4',
  // A slice's assertions must see rows a live writer committed while the slice ran. Under InnoDB's
  // default REPEATABLE READ, a SELECT after the upsert reads the snapshot taken by the slice's first
  // read, so a key the writer inserted meanwhile (and the upsert left alone, being older) looked missing.
  'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
]);
