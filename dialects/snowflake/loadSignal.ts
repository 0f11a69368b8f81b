import type { Connection, LoadSignal } from '../types';
import { snowflakeStringLiteral } from './literals';

/**
 * How busy the session's warehouse is, for --max-load / --critical-load, from
 * SHOW WAREHOUSES: `running` (statements executing), `queued` (statements
 * waiting for the warehouse: what a throttle on a shared warehouse most wants
 * to see), and `active`, their sum (what a bare number means). SHOW runs in
 * Snowflake's cloud services, so it needs no running warehouse and is not
 * itself counted; the scheduler takes this run's own slices out of `running`
 * and `active`. WAREHOUSE_LOAD_HISTORY's AVG_QUEUED_LOAD and AVG_BLOCKED would
 * give averages instead, but over 5-second buckets that lag behind what a
 * throttle must react to, and its table function needs the warehouse running.
 */
export const snowflakeLoadSignal: LoadSignal = Object.freeze({
  names: Object.freeze(['active', 'running', 'queued']),
  describe: "statements running and queued on the session's warehouse (SHOW WAREHOUSES)",
  read: async (conn: Connection) => {
    const [current] = await conn.query('SELECT CURRENT_WAREHOUSE() AS warehouse');
    const name = current?.warehouse == null ? undefined : String(current.warehouse);
    if (!name) return { active: 0, running: 0, queued: 0 };
    // LIKE treats _ and % as wildcards, so the exact name is picked from what it matches.
    const rows = await conn.query(`SHOW WAREHOUSES LIKE ${snowflakeStringLiteral(name)}`);
    const row = rows.find((r) => r.name === name);
    const running = Number(row?.running ?? 0);
    const queued = Number(row?.queued ?? 0);
    return { active: running + queued, running, queued };
  },
  countsOwnSlices: Object.freeze(['active', 'running']),
});
