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
    private readonly ledger: LedgerWriter,
    /** Names held, each with the statement that releases it. */
    private readonly held: Array<{ name: string; release: string }>,
  ) {}

  private get stateSchema(): string {
    return this.ledger.stateSchema;
  }

  /**
   * `shared`: backfill's mode where the engine has shared advisory locks
   * (PostgreSQL): several backfill processes may work on one table, the
   * ledger's compare-and-set claim giving each slice to one of them, while
   * any other command still needs the lock alone. Every run also holds a lock
   * named after its run id, so others can tell a live run's 'running' slices
   * from a killed one's (runAlive).
   *
   * Taking the locks writes nothing: the state schema may not exist yet, and a
   * command refused while planning must leave none behind. Who holds them is
   * recorded by recordHolders, once the plan is about to be applied.
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
    const locks = new OperatorLocks(conn, dialect, ledger, held);
    const shared = Boolean(mode.shared && lock.tryLockShared && lock.releaseShared);
    try {
      if (!(await locks.take(lock.tryLock, lock.release, locks.runLockName(run.runId)))) throw new Error(`run id ${run.runId} is already locked`);
      for (const table of tables) {
        const name = `theseus/${ledger.stateSchema}/${formatTableRef(table.target)}`;
        if (!(await locks.take(shared ? lock.tryLockShared! : lock.tryLock, shared ? lock.releaseShared! : lock.release, name))) {
          const who = await locks.holder(table.id);
          throw preconditionError('LOCKED', `${table.id}: locked by ${who}; another migrate command is working on this table`, 'wait for it to finish (`migrate status` shows its progress); a killed run releases its lock when its connection closes');
        }
      }
    } catch (err) {
      await locks.release();
      throw err;
    }
    return locks;
  }

  /**
   * Creates the state schema if missing and records this run as the holder of
   * each table's lock, for a refused operator to read. Called just before the
   * plan is applied (never while planning, so a refusal writes nothing).
   */
  async recordHolders(tables: TableConfig[], run: RunContext): Promise<void> {
    for (const step of this.ledger.ensureStateUnit().steps) await this.conn.execute(step.sql);
    for (const table of tables) await this.conn.execute(this.ledger.lockHolderWriteSql(), [table.id, run.runId, run.command, run.operator]);
  }

  /**
   * Who holds a table's lock, as the holder recorded it. A holder still
   * planning has recorded nothing yet (the row, if any, is an earlier run's,
   * whose run lock is then free), so it is just "another run".
   */
  private async holder(tableId: string): Promise<string> {
    try {
      if (!(await this.dialect.schemaExists(this.conn, this.stateSchema))) return 'another run';
      const [row] = await this.conn.query(this.ledger.lockHolderReadSql(), [tableId]);
      if (!row || !(await this.runAlive(String(row.run_id)))) return 'another run';
      return `run ${String(row.run_id)} (${String(row.command)} by ${String(row.operator)}) since ${String(row.acquired_at)} UTC`;
    } catch {
      return 'another run';
    }
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
