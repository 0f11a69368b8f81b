import type { Connection, ConnectionSpec, Dialect, Row } from '../../dialects/types';
import { formatTableRef } from '../config/tableRef';
import type { TableConfig } from '../config/types';
import { TheseusError, preconditionError } from '../errors';
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
const isTrue = (value: unknown) => value === true || Number(value) === 1;

/** The lock every run holds while its process lives, named after its run id. */
const runLockName = (stateSchema: string, runId: string) => `theseus/${stateSchema}/run/${runId}`;

/**
 * Is that run's process alive, asked without taking any lock (for `status`,
 * which never locks)? Its run lock is held exactly while its connection
 * lives. Without advisory locks (DuckDB) a reader got the file, so no run is
 * writing it.
 */
export async function runHoldsItsLock(conn: Connection, dialect: Dialect, stateSchema: string, runId: string): Promise<boolean> {
  const lock = dialect.operatorLock;
  if (!lock) return false;
  const [row] = await conn.query(lock.heldByAnyone, [lock.key(runLockName(stateSchema, runId))]);
  return isTrue(row?.held);
}

const lockLost = (detail: string) =>
  new TheseusError(
    'precondition',
    'LOCK_LOST',
    `the operator lock was lost (${detail}): another command may now work on these tables, so nothing more was started`,
    'the ledger is consistent: check `migrate status` and run the same command again (it resumes where this run stopped)',
  );

export class OperatorLocks {
  private constructor(
    private readonly conn: Connection,
    private readonly dialect: Dialect,
    private readonly stateSchema: string,
    /** Names held, each with the statement that releases it. */
    private readonly held: Array<{ name: string; release: string }>,
    private readonly holder: { ledger: LedgerWriter; runId: string; tableIds: string[] },
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
    const locks = new OperatorLocks(conn, dialect, ledger.stateSchema, held, { ledger, runId: run.runId, tableIds: [] });
    const shared = Boolean(mode.shared && lock.tryLockShared && lock.releaseShared);
    try {
      // A server without the setting (PostgreSQL before 14 has no idle_session_timeout) has no such timeout to turn off.
      for (const sql of lock.sessionSetup) await conn.execute(sql).catch(() => undefined);
      if (!(await locks.take(lock.tryLock, lock.release, locks.runLockName(run.runId)))) throw new Error(`run id ${run.runId} is already locked`);
      for (const table of tables) {
        const name = `theseus/${ledger.stateSchema}/${formatTableRef(table.target)}`;
        if (!(await locks.take(shared ? lock.tryLockShared! : lock.tryLock, shared ? lock.releaseShared! : lock.release, name))) {
          const who = await locks.holderOf(table.id);
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
   * plan is applied (never while planning, so a refusal writes nothing); a
   * clean end removes the rows again (release).
   */
  async recordHolders(tables: TableConfig[], run: RunContext): Promise<void> {
    const { ledger } = this.holder;
    for (const step of ledger.ensureStateUnit().steps) await this.conn.execute(step.sql);
    for (const table of tables) {
      await this.conn.execute(ledger.lockHolderWriteSql(), [table.id, run.runId, run.command, run.operator]);
      if (!this.holder.tableIds.includes(table.id)) this.holder.tableIds.push(table.id);
    }
  }

  /**
   * Who holds a table's lock, as the holder recorded it. A holder still
   * planning has recorded nothing yet (the row, if any, is an earlier run's,
   * whose run lock is then free), so it is just "another run".
   */
  private async holderOf(tableId: string): Promise<string> {
    try {
      if (!(await this.dialect.schemaExists(this.conn, this.stateSchema))) return 'another run';
      const [row] = await this.conn.query(this.holder.ledger.lockHolderReadSql(), [tableId]);
      if (!row || !(await this.runAlive(String(row.run_id)))) return 'another run';
      return `run ${String(row.run_id)} (${String(row.command)} by ${String(row.operator)}) since ${String(row.acquired_at)} UTC`;
    } catch {
      return 'another run';
    }
  }

  private runLockName(runId: string): string {
    return runLockName(this.stateSchema, runId);
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

  /**
   * Throws LOCK_LOST unless this session still holds every lock it took: a
   * cheap query on the lock's own connection, asked before every unit. A
   * killed lock session fails the query; a lock released behind our back
   * answers "not held".
   */
  async check(): Promise<void> {
    const lock = this.dialect.operatorLock!;
    for (const { name } of this.held) {
      let row: Row | undefined;
      try {
        [row] = await this.conn.query(lock.heldHere, [lock.key(name)]);
      } catch (err) {
        throw lockLost(`its connection failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
      }
      if (!isTrue(row?.held)) throw lockLost(`the server no longer has it as this run's: ${name}`);
    }
  }

  async release(): Promise<void> {
    const lock = this.dialect.operatorLock!;
    // A clean end: the holder rows go first, while the lock still keeps others from writing their own.
    for (const tableId of this.holder.tableIds) await this.conn.execute(this.holder.ledger.lockHolderClearSql(), [tableId, this.holder.runId]).catch(() => undefined);
    for (const { name, release } of this.held.reverse()) await this.conn.query(release, [lock.key(name)]).catch(() => undefined);
    await this.conn.close().catch(() => undefined);
  }
}
