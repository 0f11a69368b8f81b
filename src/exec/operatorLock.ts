import type { Connection, ConnectionSpec, Dialect } from '../../dialects/types';
import { formatTableRef } from '../config/tableRef';
import type { TableConfig } from '../config/types';
import { preconditionError } from '../errors';
import type { LedgerWriter } from '../ledger/writes';
import type { RunContext } from './runContext';

/**
 * One operator at a time, per table: a session-level advisory lock held on a
 * connection of its own for the whole command (PostgreSQL pg_try_advisory_lock,
 * MySQL GET_LOCK). The server releases it when that session ends, so a
 * killed run never leaves a stale lock behind. Next to it, a row in the state
 * schema's `locks` table says who holds it, so the second operator is told
 * "locked by run R since T". Engines without an advisory lock (DuckDB) need
 * none: their file lock already admits one writing process.
 */
export class OperatorLocks {
  private constructor(
    private readonly conn: Connection,
    private readonly dialect: Dialect,
    private readonly names: string[],
  ) {}

  static async acquire(dialect: Dialect, spec: ConnectionSpec, ledger: LedgerWriter, tables: TableConfig[], run: RunContext): Promise<OperatorLocks | undefined> {
    const lock = dialect.operatorLock;
    if (!lock) return undefined;
    const conn = await dialect.connect(spec, { readOnly: false });
    const held: string[] = [];
    const locks = new OperatorLocks(conn, dialect, held);
    try {
      // The holder record needs the state schema; creating it is idempotent.
      for (const step of ledger.ensureStateUnit().steps) await conn.execute(step.sql);
      for (const table of tables) {
        const name = `theseus/${ledger.stateSchema}/${formatTableRef(table.target)}`;
        const [row] = await conn.query(lock.tryLock, [lock.key(name)]);
        if (!(row?.acquired === true || Number(row?.acquired) === 1)) {
          const [holder] = await conn.query(ledger.lockHolderReadSql(), [table.id]);
          const who = holder ? `run ${String(holder.run_id)} (${String(holder.command)} by ${String(holder.operator)}) since ${String(holder.acquired_at)} UTC` : 'another run';
          throw preconditionError('LOCKED', `${table.id}: locked by ${who}; another migrate command is working on this table`, 'wait for it to finish (`migrate status` shows its progress); a killed run releases its lock when its connection closes');
        }
        held.push(name);
        await conn.execute(ledger.lockHolderWriteSql(), [table.id, run.runId, run.command, run.operator]);
      }
    } catch (err) {
      await locks.release();
      throw err;
    }
    return locks;
  }

  async release(): Promise<void> {
    const lock = this.dialect.operatorLock!;
    for (const name of this.names) await this.conn.query(lock.release, [lock.key(name)]).catch(() => undefined);
    await this.conn.close().catch(() => undefined);
  }
}
