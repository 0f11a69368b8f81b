import type { OperatorLockSql } from './types';

/**
 * The operator lock as rows, for engines with several writers but no advisory locks (Snowflake, BigQuery): a row
 * per lock name in the state schema, owned by the engine session that holds it, taken by a MERGE that changes
 * exactly one row when the name is free, expired, or already this session's. PRIMARY KEY is not enforced on these
 * engines, so the core then asks heldHere, which insists on exactly one live row for the name (two sessions racing
 * to insert it both back off). The row carries an expiry that a heartbeat pushes back while the command runs, so a
 * killed run's lock lapses. The table is created with the state schema on first use: unlike elsewhere, a refused
 * command may leave the (empty) state schema behind. No PRIMARY KEY is declared: neither engine would enforce it, and
 * the exactly-one check is what holds. Only the spellings differ per engine.
 */
/** How long a lock row lives without a heartbeat: a killed run's lock lapses after this. */
export const LOCK_EXPIRY_SECONDS = 300;
/** The heartbeat renews well within the expiry, so a slow statement or a missed beat does not lose the lock. */
export const LOCK_RENEW_SECONDS = 60;

export interface LockRowSyntax {
  /** The session's own identity (Snowflake's CURRENT_SESSION(), BigQuery's @@session_id). */
  owner: string;
  /** The instant `seconds` from now. */
  inSeconds(seconds: number): string;
  /** 1 where `condition` holds, else 0. */
  oneIf(condition: string): string;
  text: string;
  timestamp: string;
  /** Ends another session by its id; see OperatorLockSql.sessions. */
  endSession(sessionId: string): string;
}

export function lockRowsSql(state: string, x: LockRowSyntax): OperatorLockSql {
  const table = `${state}.operator_locks`;
  const expiry = x.inSeconds(LOCK_EXPIRY_SECONDS);
  return Object.freeze({
    takenByRowCount: true,
    tryLock: `MERGE INTO ${table} AS l
USING (SELECT ? AS name) AS s
ON l.name = s.name
WHEN MATCHED AND (l.expires_at < CURRENT_TIMESTAMP() OR l.owner = ${x.owner}) THEN UPDATE SET owner = ${x.owner}, acquired_at = CURRENT_TIMESTAMP(), expires_at = ${expiry}
WHEN NOT MATCHED THEN INSERT (name, owner, acquired_at, expires_at) VALUES (s.name, ${x.owner}, CURRENT_TIMESTAMP(), ${expiry})`,
    release: `DELETE FROM ${table} WHERE name = ? AND owner = ${x.owner}`,
    key: (name: string) => name,
    heldHere: `SELECT COUNT(*) = 1 AND SUM(${x.oneIf(`owner = ${x.owner}`)}) = 1 AS held
FROM ${table} WHERE name = ? AND expires_at > CURRENT_TIMESTAMP()`,
    heldByAnyone: `SELECT COUNT(*) > 0 AS held FROM ${table} WHERE name = ? AND expires_at > CURRENT_TIMESTAMP()`,
    lapsed: `SELECT expires_at FROM ${table} WHERE name = ? AND expires_at <= CURRENT_TIMESTAMP()`,
    renew: `UPDATE ${table} SET expires_at = ${expiry} WHERE owner = ${x.owner} AND expires_at > CURRENT_TIMESTAMP()`,
    renewEverySeconds: LOCK_RENEW_SECONDS,
    // A session's record is a row of its own, owned by the session, under the run's name; it never holds a lock
    // (expired from the start, and no lock is ever taken by that name).
    sessions: Object.freeze({
      record: `INSERT INTO ${table} (name, owner, acquired_at, expires_at) VALUES (?, ${x.owner}, CURRENT_TIMESTAMP(), CURRENT_TIMESTAMP())`,
      list: `SELECT DISTINCT owner AS session_id FROM ${table} WHERE name = ?`,
      forget: `DELETE FROM ${table} WHERE name = ?`,
      end: x.endSession,
    }),
    sessionSetup: Object.freeze([
      `CREATE SCHEMA IF NOT EXISTS ${state}`,
      `CREATE TABLE IF NOT EXISTS ${table} (
  name ${x.text} NOT NULL,
  owner ${x.text} NOT NULL,
  acquired_at ${x.timestamp} NOT NULL,
  expires_at ${x.timestamp} NOT NULL
)`,
    ]),
  });
}
