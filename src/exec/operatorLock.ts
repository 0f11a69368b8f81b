import type { Connection, ConnectionSpec, Dialect, OperatorLockSql, Row } from '../../dialects/types';
import { formatTableRef } from '../config/tableRef';
import type { TableConfig } from '../config/types';
import { TheseusError, preconditionError } from '../errors';
import type { LedgerWriter } from '../ledger/writes';
import type { RunContext } from './runContext';

/**
 * One operator at a time, per table: a session-level advisory lock held on a
 * connection of its own for the whole command (PostgreSQL pg_try_advisory_lock,
 * MySQL GET_LOCK). The server releases it when that session ends, so a
 * killed run never leaves a stale lock behind. Engines with no advisory lock but
 * several writers (Snowflake) keep the lock as a row in the state schema
 * instead, with an expiry that a heartbeat pushes back while the command runs,
 * so a killed run's lock lapses. Next to it, a row in the state
 * schema's `locks` table says who holds it, so the second operator is told
 * "locked by run R since T". Engines without an advisory lock (DuckDB) need
 * none: their file lock already admits one writing process.
 */
/** A try-lock's row: PostgreSQL answers true, MySQL 1. */
const wasAcquired = (row: Row | undefined) => row?.acquired === true || Number(row?.acquired) === 1;
const isTrue = (value: unknown) => value === true || Number(value) === 1;

/** The engine's lock statements: its advisory lock, or lock rows in this state schema; none where the engine needs none. */
function lockSqlFor(dialect: Dialect, stateSchema: string): OperatorLockSql | undefined {
  return dialect.operatorLock ?? dialect.operatorLockIn?.(dialect.quoteIdent(stateSchema));
}

/** The lock every run holds while its process lives, named after its run id. */
const runLockName = (stateSchema: string, runId: string) => `theseus/${stateSchema}/run/${runId}`;
/** Where engine sessions outlive their process: the name under which a run records the sessions it writes through. */
const runSessionsName = (stateSchema: string, runId: string) => `theseus/${stateSchema}/sessions/${runId}`;

/**
 * Is that run's process alive, asked without taking any lock (for `status`,
 * which never locks)? Its run lock is held exactly while its connection
 * lives. Without advisory locks (DuckDB) a reader got the file, so no run is
 * writing it.
 */
export async function runHoldsItsLock(conn: Connection, dialect: Dialect, stateSchema: string, runId: string): Promise<boolean> {
  const lock = lockSqlFor(dialect, stateSchema);
  if (!lock) return false;
  const [row] = await conn.query(lock.heldByAnyone, [lock.key(runLockName(stateSchema, runId))]);
  return isTrue(row?.held);
}

const describeHolder = (row: Row) => `run ${String(row.run_id)} (${String(row.command)} by ${String(row.operator)}) since ${String(row.acquired_at)} UTC`;

const lockLost = (detail: string) =>
  new TheseusError(
    'precondition',
    'LOCK_LOST',
    `the operator lock was lost (${detail}): another command may now work on these tables, so nothing more was started`,
    'the ledger is consistent: check `migrate status` and run the same command again (it resumes where this run stopped)',
  );

export class OperatorLocks {
  /** Why the heartbeat found a lock row gone (another operator took it over after it expired); check() then stops the run. */
  private renewalFailed?: string;
  private heartbeat?: NodeJS.Timeout;

  private constructor(
    private readonly conn: Connection,
    private readonly dialect: Dialect,
    private readonly lock: OperatorLockSql,
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
    mode: { shared?: boolean; warn?: (line: string) => void } = {},
  ): Promise<OperatorLocks | undefined> {
    const lock = lockSqlFor(dialect, ledger.stateSchema);
    if (!lock) return undefined;
    const conn = await dialect.connect(spec, { readOnly: false, runId: run.runId, command: run.command });
    const held: Array<{ name: string; release: string }> = [];
    const locks = new OperatorLocks(conn, dialect, lock, ledger.stateSchema, held, { ledger, runId: run.runId, tableIds: [] });
    const shared = Boolean(mode.shared && lock.tryLockShared && lock.releaseShared);
    try {
      // A server without the setting (PostgreSQL before 14 has no idle_session_timeout) has no such timeout to turn off.
      for (const sql of lock.sessionSetup) await conn.execute(sql).catch(() => undefined);
      if (!(await locks.take(lock.tryLock, lock.release, locks.runLockName(run.runId)))) throw new Error(`run id ${run.runId} is already locked`);
      for (const table of tables) {
        const name = `theseus/${ledger.stateSchema}/${formatTableRef(table.target)}`;
        const lapsedAt = lock.lapsed ? (await conn.query(lock.lapsed, [lock.key(name)]))[0]?.expires_at : undefined;
        if (!(await locks.take(shared ? lock.tryLockShared! : lock.tryLock, shared ? lock.releaseShared! : lock.release, name))) {
          const who = await locks.holderOf(table.id);
          const lapse = lock.takenByRowCount ? `a killed run's lock lapses ${lock.renewEverySeconds ? 'a few minutes' : 'some time'} after its last heartbeat` : 'a killed run releases its lock when its connection closes';
          throw preconditionError('LOCKED', `${table.id}: locked by ${who}; another migrate command is working on this table`, `wait for it to finish (\`migrate status\` shows its progress); ${lapse}`);
        }
        if (lapsedAt != null) {
          const previous = await locks.recordedHolder(table.id);
          mode.warn?.(
            `${table.id}: took over the operator lock of ${previous ? describeHolder(previous) : 'a run that recorded no holder'}, which lapsed at ${String(lapsedAt)} UTC without a heartbeat: ` +
              'that run was killed or cut off, and stops at its next step if it is only stalled; its unfinished slices are resumed like any killed run\'s',
          );
        }
      }
    } catch (err) {
      await locks.release();
      throw err;
    }
    locks.startHeartbeat();
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
      const row = await this.recordedHolder(tableId);
      if (!row || !(await this.runAlive(String(row.run_id)))) return 'another run';
      return describeHolder(row);
    } catch {
      return 'another run';
    }
  }

  /** The holder row a run recorded for a table (a killed run's stays behind), if any. */
  private async recordedHolder(tableId: string): Promise<Row | undefined> {
    if (!(await this.dialect.schemaExists(this.conn, this.stateSchema))) return undefined;
    return (await this.conn.query(this.holder.ledger.lockHolderReadSql(), [tableId]))[0];
  }

  private runLockName(runId: string): string {
    return runLockName(this.stateSchema, runId);
  }

  private async take(tryLock: string, release: string, name: string): Promise<boolean> {
    const acquired = await this.tryTake(tryLock, release, this.lock.key(name));
    if (acquired) this.held.push({ name, release });
    return acquired;
  }

  /** An advisory lock answers whether it was taken; a lock row is taken when exactly one row changed and no rival row appeared. */
  private async tryTake(tryLock: string, release: string, key: ReturnType<OperatorLockSql['key']>): Promise<boolean> {
    if (!this.lock.takenByRowCount) return wasAcquired((await this.conn.query(tryLock, [key]))[0]);
    if ((await this.conn.execute(tryLock, [key])) !== 1) return false;
    const [row] = await this.conn.query(this.lock.heldHere, [key]);
    if (isTrue(row?.held)) return true;
    await this.conn.execute(release, [key]);
    return false;
  }

  /** Row locks expire unless renewed: every renewEverySeconds, push back the expiry of every lock this session holds. */
  private startHeartbeat(): void {
    const { renew, renewEverySeconds } = this.lock;
    if (!renew || !renewEverySeconds) return;
    this.heartbeat = setInterval(() => {
      this.conn.execute(renew).then(
        (renewed) => {
          if (renewed < this.held.length) this.renewalFailed ??= `only ${renewed} of its ${this.held.length} lock rows were still this run's when renewed`;
        },
        (err: unknown) => (this.renewalFailed ??= `renewing it failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`),
      );
    }, renewEverySeconds * 1000);
    // The heartbeat never keeps the process alive on its own.
    this.heartbeat.unref();
  }

  /** Is that run still alive? Its run lock is held exactly while its process (and connection) lives, or, as a row, while its heartbeat renews it. */
  async runAlive(runId: string): Promise<boolean> {
    const key = this.lock.key(this.runLockName(runId));
    const [row] = this.lock.takenByRowCount ? [{ acquired: await this.tryTake(this.lock.tryLock, this.lock.release, key) }] : await this.conn.query(this.lock.tryLock, [key]);
    if (!wasAcquired(row)) return true;
    if (this.lock.takenByRowCount) await this.conn.execute(this.lock.release, [key]);
    else await this.conn.query(this.lock.release, [key]);
    return false;
  }

  /**
   * Throws LOCK_LOST unless this session still holds every lock it took: a
   * cheap query on the lock's own connection, asked before every unit. A
   * killed lock session fails the query; a lock released behind our back
   * answers "not held".
   */
  async check(): Promise<void> {
    const lock = this.lock;
    if (this.renewalFailed) throw lockLost(this.renewalFailed);
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

  /**
   * Records the engine session of a connection this run writes through (the command's own, each backfill worker's),
   * where sessions outlive their process (OperatorLockSql.sessions): a run that finds this one dead ends them.
   */
  async recordSession(conn: Connection): Promise<void> {
    const sessions = this.lock.sessions;
    if (sessions) await conn.execute(sessions.record, [this.lock.key(runSessionsName(this.stateSchema, this.holder.runId))]);
  }

  /**
   * Ends the sessions a dead run recorded, each with any transaction it left open (a killed process's last slice,
   * mid-way): until then that transaction would hold off or abort this run's own on the same tables, the ledger's
   * included. Answers one line per session for the log; a session that cannot be ended (already gone, or another
   * user's) is named with the engine's reason.
   */
  async endSessionsOf(runId: string): Promise<string[]> {
    const sessions = this.lock.sessions;
    if (!sessions) return [];
    const key = this.lock.key(runSessionsName(this.stateSchema, runId));
    const lines: string[] = [];
    for (const row of await this.conn.query(sessions.list, [key])) {
      const id = String(row.session_id);
      try {
        await this.conn.query(sessions.end(id));
        lines.push(`ended session ${id} of run ${runId}: a transaction it left open is rolled back`);
      } catch (err) {
        lines.push(`could not end session ${id} of run ${runId} (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); if it is still open, end it by hand or it ends by itself when the engine times it out`);
      }
    }
    await this.conn.execute(sessions.forget, [key]);
    return lines;
  }

  async release(): Promise<void> {
    const lock = this.lock;
    if (this.heartbeat) clearInterval(this.heartbeat);
    // This run's sessions are ended and forgotten: those its connections still hold end with them anyway, but one a
    // lost connection left behind (closing it through the dead link fails) may still hold an open transaction.
    if (lock.sessions) await this.endSessionsOf(this.holder.runId).catch(() => undefined);
    // A clean end: the holder rows go first, while the lock still keeps others from writing their own.
    for (const tableId of this.holder.tableIds) await this.conn.execute(this.holder.ledger.lockHolderClearSql(), [tableId, this.holder.runId]).catch(() => undefined);
    for (const { name, release } of this.held.reverse()) await this.conn.query(release, [lock.key(name)]).catch(() => undefined);
    await this.conn.close().catch(() => undefined);
  }
}
