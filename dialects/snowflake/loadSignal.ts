import type { Connection, LoadSignal } from '../types';
import { snowflakeStringLiteral } from './literals';

/**
 * How busy the session's warehouse is, for --max-load / --critical-load:
 * SHOW WAREHOUSES' `running` (statements executing) plus `queued` (statements
 * waiting for the warehouse). SHOW runs in Snowflake's cloud services, so it
 * needs no running warehouse and is not itself counted; the scheduler subtracts
 * this run's own slices. WAREHOUSE_LOAD_HISTORY would give averages instead,
 * but its 5-second buckets lag behind what a throttle should react to.
 */
export const snowflakeLoadSignal: LoadSignal = Object.freeze({
  names: Object.freeze(['active']),
  describe: "statements running or queued on the session's warehouse (SHOW WAREHOUSES)",
  read: async (conn: Connection): Promise<number> => {
    const [current] = await conn.query('SELECT CURRENT_WAREHOUSE() AS warehouse');
    const name = current?.warehouse == null ? undefined : String(current.warehouse);
    if (!name) return 0;
    // LIKE treats _ and % as wildcards, so the exact name is picked from what it matches.
    const rows = await conn.query(`SHOW WAREHOUSES LIKE ${snowflakeStringLiteral(name)}`);
    const row = rows.find((r) => r.name === name);
    return Number(row?.running ?? 0) + Number(row?.queued ?? 0);
  },
});
