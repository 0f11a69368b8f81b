import type { BigQuery, Job, Query } from '@google-cloud/bigquery';
import type { BindKind, Connection, ConnectionSpec, ConnectOptions, Row, SqlValue } from '../types';
import { TheseusError } from '../../src/errors';
import { bigquerySettings } from './connectionSettings';
import { bigqueryError } from './errors';
import { loadBigQuerySdk } from './sdk';

/** Labels are lower-case letters, digits, `_` and `-`, at most 63 characters. */
export function labelValue(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 63);
}

/**
 * The labels on every job of a run, so INFORMATION_SCHEMA.JOBS and the billing export show what the migration
 * cost, per run, command, table and window: the executor labels the connection with the unit's title
 * ("orders 2023-02: backfill"), whose first two words are the table and the window.
 */
export function jobLabels(options: ConnectOptions, unit?: string): Record<string, string> {
  const labels: Record<string, string> = { tool: 'theseus' };
  if (options.command) labels.command = labelValue(options.command);
  if (options.runId) labels.run_id = labelValue(options.runId);
  const m = unit === undefined ? null : /^(\S+)(?: (\S+))?:/.exec(unit);
  if (m) {
    labels.table = labelValue(m[1]);
    if (m[2]) labels.window = labelValue(m[2]);
  }
  return labels;
}

const MERGE = /^\s*MERGE\b/i;
/** The statement that opens each connection's session: every later job runs in it (see connectBigQuery). */
export const SESSION_SETUP = "SET @@time_zone = 'UTC'";
/** BigQuery bills at least 10 MiB per table a query references. */
const MIN_BILLED_PER_TABLE = 10 * 1024 ** 2;

/**
 * maximumBytesBilled for a statement a dry run says reads `bytes` from `tables` tables: 1.2 times that, and never
 * under the minimum BigQuery bills for those tables (a slice's MERGE references legacy and the target: 20 MiB).
 */
export function bytesBilledCap(bytes: number, tables = 1): string {
  return String(Math.max(MIN_BILLED_PER_TABLE * Math.max(1, tables), Math.ceil(bytes * 1.2)));
}

/** The client's value objects (BigQueryTimestamp, BigQueryDatetime, BigQueryDate, Big for NUMERIC) as plain text. */
function plain(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  const v = value as { value?: unknown; constructor?: { name?: string } };
  if (typeof v.value === 'string') return v.value;
  if (v.constructor?.name === 'Big') return String(value);
  if (Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, plain(x)]));
}

/**
 * A bound value's BigQuery type, which the client needs for every parameter: a NULL takes the kind the plan gives
 * its bind (a NULL typed STRING cannot be assigned to an INT64 column), text where none is given.
 */
const typeOf = (v: SqlValue, kind?: BindKind) =>
  v === null ? (kind === 'integer' ? 'INT64' : 'STRING') : typeof v === 'number' ? (Number.isInteger(v) ? 'INT64' : 'FLOAT64') : typeof v === 'boolean' ? 'BOOL' : 'STRING';
/** The job's parameters: positional, each typed. */
const parameters = (params?: SqlValue[], kinds?: readonly BindKind[]) => (params && params.length ? { params: params as never, types: params.map((v, i) => typeOf(v, kinds?.[i])) } : {});

/** The job's statistics that matter here: DML counts, and the session a createSession job opened. */
interface JobStatistics {
  numDmlAffectedRows?: string;
  dmlStats?: { insertedRowCount?: string; updatedRowCount?: string; deletedRowCount?: string };
  statementType?: string;
  sessionId?: string;
}

/**
 * The only file that talks to @google-cloud/bigquery. Each connection is a
 * BigQuery session (opened by its first statement), so BEGIN … COMMIT spans
 * the statements of a unit and @@session_id names the lock rows' owner.
 * Every statement is a job (jobs.insert): labelled, polled until done, its
 * rows read page by page with INT64 as exact text; a DML statement answers
 * query() with one row of its dmlStats (inserted_row_count,
 * updated_row_count, deleted_row_count: the counted MERGE reads them) and
 * execute() with the rows it changed.
 */
export async function connectBigQuery(spec: ConnectionSpec, options: ConnectOptions): Promise<Connection> {
  const s = bigquerySettings(spec);
  const { sdk, auth } = await loadBigQuerySdk();
  let authClient;
  if (s.accessToken) {
    authClient = new auth.OAuth2Client();
    authClient.setCredentials({ access_token: s.accessToken, expiry_date: Date.now() + 3600_000 });
  }
  const bq: BigQuery = new sdk.BigQuery({
    projectId: s.project,
    location: s.location,
    ...(s.keyFilename ? { keyFilename: s.keyFilename } : {}),
    ...(authClient ? { authClient } : {}),
    ...(s.apiEndpoint ? { apiEndpoint: s.apiEndpoint } : {}),
    userAgent: 'theseus',
    // A 5xx or a dropped request fails the statement as a lost connection, and the core reruns the whole unit on a
    // new session: a retry inside the client would resend one statement of a transaction whose session may be gone.
    autoRetry: false,
  });
  let sessionId: string | undefined;
  let labels = jobLabels(options);
  let lost = false;

  const dryRun = async (sql: string, params?: SqlValue[], kinds?: readonly BindKind[]): Promise<{ bytes: number; tables: number }> => {
    try {
      const [, response] = await bq.createQueryJob({ query: sql, location: s.location, labels, dryRun: true, ...parameters(params, kinds) });
      const stats = response?.statistics;
      return { bytes: Number(stats?.totalBytesProcessed ?? 0), tables: stats?.query?.referencedTables?.length ?? 1 };
    } catch (err) {
      throw bigqueryError(err);
    }
  };

  const run = async (sql: string, params?: SqlValue[], kinds?: readonly BindKind[]): Promise<{ rows: Row[]; stats: JobStatistics }> => {
    // A MERGE (a slice's upsert, the largest read of a run) runs with maximumBytesBilled: the configured cap
    // (backfill.max_bytes_billed), or else 1.2 times what a dry run (free) says it would read. One that would read
    // more (the target grew, a plan went wrong) fails before anything is billed, instead of costing more than the
    // estimate said.
    const cap = MERGE.test(sql) ? (options.maxBytesBilled !== undefined ? String(options.maxBytesBilled) : await dryRun(sql, params, kinds).then((e) => bytesBilledCap(e.bytes, e.tables))) : undefined;
    const request: Query = {
      ...(cap ? { maximumBytesBilled: cap } : {}),
      query: sql,
      location: s.location,
      labels,
      jobPrefix: 'theseus_',
      ...parameters(params, kinds),
      ...(sessionId ? { connectionProperties: [{ key: 'session_id', value: sessionId }] } : { createSession: true }),
    };
    let job: Job | undefined;
    try {
      [job] = await bq.createQueryJob(request);
      const rows: Row[] = [];
      let page: Record<string, unknown> = { autoPaginate: false, wrapIntegers: { integerTypeCastFunction: (v: string) => v } };
      for (;;) {
        const [pageRows, next, resp] = (await job.getQueryResults(page)) as unknown as [Row[], Record<string, unknown> | null, { jobComplete?: boolean }];
        if (resp?.jobComplete !== false) rows.push(...pageRows.map((r) => plain(r) as Row));
        if (!next) break;
        page = { ...next, autoPaginate: false };
      }
      const [metadata] = await job.getMetadata();
      const stats = metadata?.statistics ?? {};
      const query = stats.query ?? {};
      if (!sessionId && stats.sessionInfo?.sessionId) sessionId = String(stats.sessionInfo.sessionId);
      return { rows, stats: { numDmlAffectedRows: query.numDmlAffectedRows, dmlStats: query.dmlStats, statementType: query.statementType } };
    } catch (err) {
      const mapped = bigqueryError(err, job?.id);
      if (mapped.transient === 'connection') lost = true;
      throw mapped;
    }
  };

  try {
    // Opens the session, and fails here, with CANNOT_CONNECT, on credentials or a project that does not answer. The
    // session's zone is UTC, whatever the project's or organization's default_time_zone: CAST(datetime AS TIMESTAMP)
    // (verify's epoch of a DATETIME cursor) and DATE(ts) read wall times in it, and Theseus reads DATETIME as UTC.
    await run(SESSION_SETUP);
  } catch (err) {
    throw new TheseusError('database', 'CANNOT_CONNECT', `cannot connect to BigQuery project ${s.project} (${s.location}): ${(err as Error).message}`, 'check project, location and the credentials (key_filename, access_token, or Application Default Credentials)', { cause: err });
  }
  const dmlRow = (stats: JobStatistics): Row => ({
    inserted_row_count: stats.dmlStats?.insertedRowCount ?? '0',
    updated_row_count: stats.dmlStats?.updatedRowCount ?? '0',
    deleted_row_count: stats.dmlStats?.deletedRowCount ?? '0',
  });
  return {
    async query(sql: string, params?: SqlValue[], kinds?: readonly BindKind[]): Promise<Row[]> {
      const { rows, stats } = await run(sql, params, kinds);
      return stats.numDmlAffectedRows !== undefined && rows.length === 0 ? [dmlRow(stats)] : rows;
    },
    async execute(sql: string, params?: SqlValue[], kinds?: readonly BindKind[]): Promise<number> {
      return Number((await run(sql, params, kinds)).stats.numDmlAffectedRows ?? 0);
    },
    close: async () => {
      // Ends the session at once rather than when BigQuery times it out.
      if (sessionId) await run('CALL BQ.ABORT_SESSION()').catch(() => undefined);
    },
    // A dry run: BigQuery validates the statement and says what it would read, free of charge, creating no job.
    estimate: async (sql: string, params?: SqlValue[]) => ({ bytesProcessed: (await dryRun(sql, params)).bytes }),
    lost: () => lost,
    label: (title: string) => {
      labels = jobLabels(options, title);
    },
    facts: Object.freeze({ project: s.project, location: s.location, ...(s.dataset ? { dataset: s.dataset } : {}) }),
  };
}
