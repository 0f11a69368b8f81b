import type { OperatorLockSql } from '../types';
import { lockRowsSql } from '../lockRows';
import { bigqueryStringLiteral } from './literals';

/**
 * BigQuery has no advisory locks: the lock is a row (dialects/lockRows.ts) owned by the BigQuery session that holds
 * it (@@session_id: the driver runs every connection in a session of its own). BigQuery retries a DML statement
 * that conflicts with a concurrent one a few times itself; one that still conflicts fails the take (another operator
 * is at it) or, in the heartbeat, the run (LOCK_LOST, resumable).
 */
export function bigqueryOperatorLock(state: string): OperatorLockSql {
  return lockRowsSql(state, {
    owner: '@@session_id',
    inSeconds: (seconds) => `TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL ${seconds} SECOND)`,
    oneIf: (condition) => `IF(${condition}, 1, 0)`,
    text: 'STRING',
    timestamp: 'TIMESTAMP',
    // Ends a session by id from outside it; a transaction still open in it is rolled back.
    endSession: (id) => `CALL BQ.ABORT_SESSION(${bigqueryStringLiteral(id)})`,
  });
}
