import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for BigQuery's REST API (v2), enough for @google-cloud/bigquery 8.3.1 as the driver uses it:
 * jobs.insert (POST /projects/{p}/jobs), jobs.getQueryResults (GET /projects/{p}/queries/{job}) and jobs.get
 * (GET /projects/{p}/jobs/{job}). It records every request (method, path, auth header, body) and answers by the
 * query's text, after research/snowflake-bigquery.md §2.1 (bq-fake.js):
 *   SET @@time_zone = 'UTC'                → no rows (the driver's session-opening statement)
 *   SELECT 1 AS ok                         → one INTEGER row
 *   SELECT … TOTALS …                      → INT64 beyond 2^53, NUMERIC, TIMESTAMP and DATETIME values
 *   MERGE …                                → dmlStats inserted 3, updated 4 (numDmlAffectedRows 7)
 *   UPDATE …                               → numDmlAffectedRows 1
 *   … SLOW …                               → "not complete" twice, then done (the client polls)
 *   … SYNTAX_ERROR …                       → 400 invalidQuery
 *   … CONCURRENT …                         → 400 "Could not serialize access … due to concurrent update"
 *   … STREAMING …                          → 400 "… would affect rows in the streaming buffer …"
 *   … BACKEND …                            → 503 backendError
 * A dry run (configuration.dryRun) of a MERGE reads 3 GiB, of anything else 10 MiB; … OVERBILL … run for real is
 * refused as over its maximumBytesBilled.
 * Listens on 127.0.0.1 only.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  auth?: string;
  body?: any;
}

interface FakeJob {
  id: string;
  query: string;
  /** The query's bound values as text, for scripted answers. */
  binds: string[];
  polls: number;
  sessionId?: string;
}

const PROJECT = 'proj';
const schema = (fields: Array<[string, string]>) => ({ fields: fields.map(([name, type]) => ({ name, type, mode: 'NULLABLE' })) });
const apiError = (status: number, reason: string, message: string) => [status, { error: { code: status, message, status: status === 400 ? 'INVALID_ARGUMENT' : 'UNAVAILABLE', errors: [{ message, domain: 'global', reason }] } }] as const;

function failure(query: string): readonly [number, unknown] | undefined {
  if (/SYNTAX_ERROR/.test(query)) return apiError(400, 'invalidQuery', 'Syntax error: Unexpected identifier "SYNTAX_ERROR" at [1:1]');
  if (/CONCURRENT/.test(query)) return apiError(400, 'invalidQuery', 'Could not serialize access to table proj:ds.orders due to concurrent update');
  if (/STREAMING/.test(query)) return apiError(400, 'invalidQuery', 'UPDATE or DELETE statement over table proj.ds.orders would affect rows in the streaming buffer, which is not supported');
  if (/BACKEND/.test(query)) return apiError(503, 'backendError', 'Error encountered during execution. Retrying may solve the problem.');
  return undefined;
}

function statistics(job: FakeJob) {
  const dml = /^MERGE/.test(job.query)
    ? { statementType: 'MERGE', numDmlAffectedRows: '7', dmlStats: { insertedRowCount: '3', updatedRowCount: '4', deletedRowCount: '0' } }
    : /^UPDATE/.test(job.query)
      ? { statementType: 'UPDATE', numDmlAffectedRows: '1', dmlStats: { updatedRowCount: '1' } }
      : { statementType: 'SELECT' };
  return { creationTime: '1', totalBytesProcessed: '2048', query: { totalBytesProcessed: '2048', totalBytesBilled: '10485760', ...dml }, ...(job.sessionId ? { sessionInfo: { sessionId: job.sessionId } } : {}) };
}

/**
 * A query's answer given by the test, for a whole command run against the fake: the first whose `match` finds the
 * query text, followed by a line `-- binds: a, b` of its bound values, answers with these columns (name and BigQuery
 * type) and rows (each value as text, or null).
 */
export interface ScriptedAnswer {
  match: RegExp;
  fields: Array<[string, string]>;
  rows: Array<Array<string | null>>;
}

function results(job: FakeJob, answers: ScriptedAnswer[]) {
  const ref = { projectId: PROJECT, jobId: job.id, location: 'EU' };
  if (job.polls-- > 0) return { kind: 'bigquery#getQueryResultsResponse', jobReference: ref, jobComplete: false };
  const done = { kind: 'bigquery#getQueryResultsResponse', jobReference: ref, jobComplete: true };
  const scripted = answers.find((a) => a.match.test(`${job.query}\n-- binds: ${job.binds.join(', ')}`));
  if (scripted) return { ...done, totalRows: String(scripted.rows.length), schema: schema(scripted.fields), rows: scripted.rows.map((r) => ({ f: r.map((v) => ({ v })) })) };
  if (/TOTALS/.test(job.query)) {
    return {
      ...done,
      totalRows: '1',
      schema: schema([['n', 'INTEGER'], ['checksum', 'INTEGER'], ['amount', 'NUMERIC'], ['ts', 'TIMESTAMP'], ['dt', 'DATETIME']]),
      rows: [{ f: [{ v: '42' }, { v: '-1541654101129638711' }, { v: '12345678901234567890.123456789' }, { v: '1704067200000000' }, { v: '2024-01-01T10:30:00.123456' }] }],
    };
  }
  if (/^(SELECT|WITH)\b/.test(job.query)) return { ...done, totalRows: '1', schema: schema([['ok', 'INTEGER']]), rows: [{ f: [{ v: '1' }] }] };
  return { ...done, totalRows: '0', schema: { fields: [] }, ...(statistics(job).query.numDmlAffectedRows ? { numDmlAffectedRows: statistics(job).query.numDmlAffectedRows } : {}) };
}

export interface BigQueryFake {
  url: string;
  requests: RecordedRequest[];
  /** The query text of every job inserted, in order. */
  queries(): string[];
  close(): Promise<void>;
}

export async function startBigQueryFake(options: { answers?: ScriptedAnswer[] } = {}): Promise<BigQueryFake> {
  const answers = options.answers ?? [];
  const requests: RecordedRequest[] = [];
  const jobs = new Map<string, FakeJob>();
  let sessions = 0;
  const route = (method: string, path: string, body: any): readonly [number, unknown] => {
    const base = `/bigquery/v2/projects/${PROJECT}`;
    if (method === 'POST' && path === `${base}/jobs`) {
      const query: string = body.configuration.query.query;
      const failed = failure(query);
      if (failed) return failed;
      if (/OVERBILL/.test(query) && !body.configuration.dryRun) {
        return apiError(400, 'bytesBilledLimitExceeded', `Query exceeded limit for bytes billed: ${body.configuration.query.maximumBytesBilled}. 5368709120 or higher required.`);
      }
      // A dry run creates no job: it answers at once with what the statement would read (a MERGE 3 GiB, else 10 MiB).
      if (body.configuration.dryRun) {
        const bytes = String(/^MERGE/.test(query) ? 3 * 1024 ** 3 : 10 * 1024 ** 2);
        return [200, { kind: 'bigquery#job', jobReference: { projectId: PROJECT, location: 'EU' }, configuration: body.configuration, status: { state: 'DONE' }, statistics: { totalBytesProcessed: bytes, query: { totalBytesProcessed: bytes, totalBytesBilled: '0', referencedTables: [{ projectId: PROJECT, datasetId: 'ds', tableId: 'legacy' }, { projectId: PROJECT, datasetId: 'ds', tableId: 'orders' }] } } }];
      }
      const binds = (body.configuration.query.queryParameters ?? []).map((p: { parameterValue?: { value?: string } }) => String(p.parameterValue?.value ?? 'NULL'));
      const job: FakeJob = { id: body.jobReference.jobId, query, binds, polls: /SLOW/.test(query) ? 2 : 0 };
      if (body.configuration.query.createSession) job.sessionId = `session-${++sessions}`;
      jobs.set(job.id, job);
      return [200, { kind: 'bigquery#job', id: `${PROJECT}:EU.${job.id}`, jobReference: body.jobReference, configuration: body.configuration, status: { state: 'RUNNING' } }];
    }
    const results_ = new RegExp(`^${base}/queries/([^/]+)$`).exec(path);
    if (method === 'GET' && results_ && jobs.has(results_[1])) return [200, results(jobs.get(results_[1])!, answers)];
    const get = new RegExp(`^${base}/jobs/([^/]+)$`).exec(path);
    if (method === 'GET' && get && jobs.has(get[1])) {
      const job = jobs.get(get[1])!;
      return [200, { kind: 'bigquery#job', jobReference: { projectId: PROJECT, jobId: job.id, location: 'EU' }, status: { state: 'DONE' }, statistics: statistics(job) }];
    }
    return apiError(404, 'notFound', `Not found: ${path}`);
  };
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const body = data ? JSON.parse(data) : undefined;
      requests.push({ method: req.method ?? '', path: url.pathname, auth: req.headers.authorization, body });
      const [status, out] = route(req.method ?? '', url.pathname, body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    queries: () => requests.filter((r) => r.method === 'POST' && r.body?.configuration?.query).map((r) => r.body.configuration.query.query as string),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
