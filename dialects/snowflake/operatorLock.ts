import type { OperatorLockSql } from '../types';

/** How long a lock row lives without a heartbeat: a killed run's lock lapses after this. */
export const LOCK_EXPIRY_SECONDS = 300;
/** The heartbeat renews well within the expiry, so a slow statement or a missed beat does not lose the lock. */
export const LOCK_RENEW_SECONDS = 60;

const expiry = `DATEADD(SECOND, ${LOCK_EXPIRY_SECONDS}, CURRENT_TIMESTAMP())`;

/**
 * Snowflake has no advisory locks, so one operator at a time is a row per
 * lock name in the state schema, owned by the Snowflake session that holds it
 * (CURRENT_SESSION()). Taking it is a MERGE that changes exactly one row when
 * the name is free, expired, or already this session's; PRIMARY KEY is not
 * enforced, so the core then asks heldHere, which insists on exactly one live
 * row for the name (two sessions racing to insert it both back off). The
 * table is created with the state schema on first use: unlike elsewhere, a
 * refused command may leave the (empty) state schema behind.
 * Whether concurrent MERGEs on one table see each other's rows is not
 * documented; the exactly-one check covers it either way (not yet run on an account).
 */
export function snowflakeOperatorLock(state: string): OperatorLockSql {
  const table = `${state}.operator_locks`;
  return Object.freeze({
    takenByRowCount: true,
    tryLock: `MERGE INTO ${table} AS l
USING (SELECT ? AS name) AS s
ON l.name = s.name
WHEN MATCHED AND (l.expires_at < CURRENT_TIMESTAMP() OR l.owner = CURRENT_SESSION()) THEN UPDATE SET owner = CURRENT_SESSION(), acquired_at = CURRENT_TIMESTAMP(), expires_at = ${expiry}
WHEN NOT MATCHED THEN INSERT (name, owner, acquired_at, expires_at) VALUES (s.name, CURRENT_SESSION(), CURRENT_TIMESTAMP(), ${expiry})`,
    release: `DELETE FROM ${table} WHERE name = ? AND owner = CURRENT_SESSION()`,
    key: (name: string) => name,
    heldHere: `SELECT COUNT(*) = 1 AND SUM(IFF(owner = CURRENT_SESSION(), 1, 0)) = 1 AS held
FROM ${table} WHERE name = ? AND expires_at > CURRENT_TIMESTAMP()`,
    heldByAnyone: `SELECT COUNT(*) > 0 AS held FROM ${table} WHERE name = ? AND expires_at > CURRENT_TIMESTAMP()`,
    lapsed: `SELECT expires_at FROM ${table} WHERE name = ? AND expires_at <= CURRENT_TIMESTAMP()`,
    renew: `UPDATE ${table} SET expires_at = ${expiry} WHERE owner = CURRENT_SESSION() AND expires_at > CURRENT_TIMESTAMP()`,
    renewEverySeconds: LOCK_RENEW_SECONDS,
    sessionSetup: Object.freeze([
      `CREATE SCHEMA IF NOT EXISTS ${state}`,
      `CREATE TABLE IF NOT EXISTS ${table} (
  name VARCHAR NOT NULL PRIMARY KEY,
  owner VARCHAR NOT NULL,
  acquired_at TIMESTAMP_TZ NOT NULL,
  expires_at TIMESTAMP_TZ NOT NULL
)`,
    ]),
  });
}
