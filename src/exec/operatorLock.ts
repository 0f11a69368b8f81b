import type { Connection, ConnectionSpec, Dialect, Row } from '../../dialects/types';
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
/** A try-lock's row: PostgreSQL answers true, MySQL 1. */
const wasAcquired = (row: Row | undefined) => row?.acquired === true || Number(row?.acquired) === 1;

export class OperatorLocks {
  private constructor(
    private readonly conn: Connection,
    private readonly dialect: Dialect,
    private readonly stateSchema: string,
    /** Names held, each with the statement that releases it. */
    private readonly held: Array<{ name: string; release: string }>,
  ) {}

  /**
   * `shared`: backfill's mode where the engine has shared advisory locks
   * (PostgreSQL): several backfill processes may work on one table, the
   * ledger's compare-and-set claim giving each slice to one of them, while
   * any other command still needs the lock alone. Every run also holds a lock
   * named after its run id, so others can tell a live run's 'running' slices
   * from a killed one's (runAlive).
   */
  static async acquire(
    dialect: Dialect,
    spec: ConnectionSpec,
    ledger: LedgerWriter,
    tables: TableConfig[],
    run: RunContext,
    mode: { shared?: boolean } = {},
  ): Promise<OperatorLocks | undefined> {
    const lock = dialect.operatorLock;
    if (!lock) return undefined;
    const conn = await dialect.connect(spec, { readOnly: false });
    const held: Array<{ name: string; release: string }> = [];
    const locks = new OperatorLocks(conn, dialect, ledger.stateSchema, held);
    const shared = Boolean(mode.shared && lock.tryLockShared && lock.releaseShared);
    try {
      // The holder record needs the state schema; creating it is idempotent.
      for (const step of ledger.ensureStateUnit().steps) await conn.execute(step.sql);
      if (!(await locks.take(lock.tryLock, lock.release, locks.runLockName(run.runId)))) throw new Error(`run id ${run.runId} is already locked`);
      for (const table of tables) {
        const name = `theseus/${ledger.stateSchema}/${formatTableRef(table.target)}`;
        if (!(await locks.take(shared ? lock.tryLockShared! : lock.tryLock, shared ? lock.releaseShared! : lock.release, name))) {
          const [holder] = await conn.query(ledger.lockHolderReadSql(), [table.id]);
          const who = holder ? `run ${String(holder.run_id)} (${String(holder.command)} by ${String(holder.operator)}) since ${String(holder.acquired_at)} UTC` : 'another run';
          throw preconditionError('LOCKED', `${table.id}: locked by ${who}; another migrate command is working on this table`, 'wait for it to finish (`migrate status` shows its progress); a killed run releases its lock when its connection closes');
        }
        await conn.execute(ledger.lockHolderWriteSql(), [table.id, run.runId, run.command, run.operator]);
      }
    } catch (err) {
      await locks.release();
      throw err;
    }
    return locks;
  }

  private runLockName(runId: string): string {
    return `theseus/${this.stateSchema}/run/${runId}`;
  }

  private async take(tryLock: string, release: string, name: string): Promise<boolean> {
    const [row] = await this.conn.query(tryLock, [this.dialect.operatorLock!.key(name)]);
    const acquired = wasAcquired(row);
    if (acquired) this.held.push({ name, release });
    return acquired;
  }

  /** Is that run still alive? Its run lock is held exactly while its process (and connection) lives. */
  async runAlive(runId: string): Promise<boolean> {
    const lock = this.dialect.operatorLock!;
    const key = lock.key(this.runLockName(runId));
    const [row] = await this.conn.query(lock.tryLock, [key]);
    if (!wasAcquired(row)) return true;
    await this.conn.query(lock.release, [key]);
    return false;
  }

  async release(): Promise<void> {
    const lock = this.dialect.operatorLock!;
    for (const { name, release } of this.held.reverse()) await this.conn.query(release, [lock.key(name)]).catch(() => undefined);
    await this.conn.close().catch(() => undefined);
  }
}
