import type { OperatorLockSql } from '../types';
import { lockRowsSql } from '../lockRows';

/** How long a lock row lives without a heartbeat: a killed run's lock lapses after this. */
export const LOCK_EXPIRY_SECONDS = 300;
/** The heartbeat renews well within the expiry, so a slow statement or a missed beat does not lose the lock. */
export const LOCK_RENEW_SECONDS = 60;

/**
 * Snowflake has no advisory locks: the lock is a row (dialects/lockRows.ts) owned by the Snowflake session
 * (CURRENT_SESSION()). Whether concurrent MERGEs on one table see each other's rows is not documented; the
 * exactly-one check covers it either way (not yet run on an account).
 */
export function snowflakeOperatorLock(state: string): OperatorLockSql {
  return lockRowsSql(
    state,
    {
      owner: 'CURRENT_SESSION()',
      inSeconds: (seconds) => `DATEADD(SECOND, ${seconds}, CURRENT_TIMESTAMP())`,
      oneIf: (condition) => `IFF(${condition}, 1, 0)`,
      text: 'VARCHAR',
      timestamp: 'TIMESTAMP_TZ',
    },
    LOCK_EXPIRY_SECONDS,
    LOCK_RENEW_SECONDS,
  );
}
