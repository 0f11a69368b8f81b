import type { OperatorLockSql } from '../types';

/** How long a lock row lives without a heartbeat: a killed run's lock lapses after this. */
export const LOCK_EXPIRY_SECONDS = 300;
/** The heartbeat renews well within the expiry. */
export const LOCK_RENEW_SECONDS = 60;

const expiry = `TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL ${LOCK_EXPIRY_SECONDS} SECOND)`;

/**
 * BigQuery has no advisory locks: as on Snowflake (dialects/snowflake/operatorLock.ts), a row per lock name in the
 * state dataset, owned by the BigQuery session that holds it (@@session_id: the driver runs every connection in a
 * session of its own), taken by a MERGE that must change exactly one row, then checked to be the name's only live
 * row (PRIMARY KEY is not enforced). BigQuery retries a DML statement that conflicts with a concurrent one a few
 * times itself; one that still conflicts fails the take (another operator is at it) or, in the heartbeat, the run
 * (LOCK_LOST, resumable).
 */
export function bigqueryOperatorLock(state: string): OperatorLockSql {
  const table = `${state}.operator_locks`;
  return Object.freeze({
    takenByRowCount: true,
    tryLock: `MERGE INTO ${table} AS l
USING (SELECT ? AS name) AS s
ON l.name = s.name
WHEN MATCHED AND (l.expires_at < CURRENT_TIMESTAMP() OR l.owner = @@session_id) THEN UPDATE SET owner = @@session_id, acquired_at = CURRENT_TIMESTAMP(), expires_at = ${expiry}
WHEN NOT MATCHED THEN INSERT (name, owner, acquired_at, expires_at) VALUES (s.name, @@session_id, CURRENT_TIMESTAMP(), ${expiry})`,
    release: `DELETE FROM ${table} WHERE name = ? AND owner = @@session_id`,
    key: (name: string) => name,
    heldHere: `SELECT COUNT(*) = 1 AND SUM(IF(owner = @@session_id, 1, 0)) = 1 AS held
FROM ${table} WHERE name = ? AND expires_at > CURRENT_TIMESTAMP()`,
    heldByAnyone: `SELECT COUNT(*) > 0 AS held FROM ${table} WHERE name = ? AND expires_at > CURRENT_TIMESTAMP()`,
    lapsed: `SELECT expires_at FROM ${table} WHERE name = ? AND expires_at <= CURRENT_TIMESTAMP()`,
    renew: `UPDATE ${table} SET expires_at = ${expiry} WHERE owner = @@session_id AND expires_at > CURRENT_TIMESTAMP()`,
    renewEverySeconds: LOCK_RENEW_SECONDS,
    sessionSetup: Object.freeze([
      `CREATE SCHEMA IF NOT EXISTS ${state}`,
      `CREATE TABLE IF NOT EXISTS ${table} (
  name STRING NOT NULL,
  owner STRING NOT NULL,
  acquired_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL
)`,
    ]),
  });
}
