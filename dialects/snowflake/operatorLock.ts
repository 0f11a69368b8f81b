import type { OperatorLockSql } from '../types';
import { lockRowsSql } from '../lockRows';

/**
 * Snowflake has no advisory locks: the lock is a row (dialects/lockRows.ts) owned by the Snowflake session
 * (CURRENT_SESSION()). Whether concurrent MERGEs on one table see each other's rows is not documented; the
 * exactly-one check covers it either way (not yet run on an account).
 */
export function snowflakeOperatorLock(state: string): OperatorLockSql {
  return lockRowsSql(state, {
    owner: 'CURRENT_SESSION()',
    inSeconds: (seconds) => `DATEADD(SECOND, ${seconds}, CURRENT_TIMESTAMP())`,
    oneIf: (condition) => `IFF(${condition}, 1, 0)`,
    text: 'VARCHAR',
    timestamp: 'TIMESTAMP_TZ',
    endSession: abortSession,
  });
}

/**
 * SYSTEM$ABORT_SESSION ends a session of this user's by its numeric id (CURRENT_SESSION() as text) and aborts the
 * transaction it left open, instead of leaving its locks held until Snowflake aborts it hours later.
 */
function abortSession(id: string): string {
  if (!/^\d{1,20}$/.test(id)) throw new Error(`not a Snowflake session id: ${JSON.stringify(id)}`);
  return `SELECT SYSTEM$ABORT_SESSION(${id})`;
}
