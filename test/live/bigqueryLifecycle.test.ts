import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Connection } from '../../dialects/types';
import { connectBigQuery } from '../../dialects/bigquery/driver';
import { bigqueryOperatorLock } from '../../dialects/bigquery/operatorLock';
import { cli } from '../helpers/warehouse';
import { bigqueryConnectionYaml, bigqueryLiveUnavailable } from './bigqueryEnv';

/**
 * The lifecycle on a real BigQuery project (issue 14, live suite): what the offline checks cannot show — that
 * BigQuery runs every statement, the session's multi-statement transactions, dmlStats, the snapshot, the lock
 * row, verify's checksum on real data — in scratch datasets that are dropped afterwards. Run with
 * `npm run test:live` and the BIGQUERY_* variables (bigqueryEnv.ts); never part of .ci/run.
 */
const ROWS = 300;
const unavailable = bigqueryLiveUnavailable();

if (unavailable) {
  test('the live BigQuery suite did not run', () => {
    process.stderr.write(`\nlive BigQuery suite not run: ${unavailable}\n`);
  });
} else {
  describe('the Definition of Done on a real BigQuery project', () => {
    const suffix = crypto.randomBytes(3).toString('hex');
    const [erp, dlt, dw, state] = ['erp', 'dlt', 'dw', 'state'].map((d) => `theseus_live_${suffix}_${d}`);
    let conn: Connection;
    let dir: string;
    let config: string;
    const run = (...args: string[]) => cli([...args, '--config', config]);
    const distribution = async () => (await conn.query(`SELECT source_flag AS flag, count(*) AS n FROM \`${dw}\`.orders_v GROUP BY 1 ORDER BY 1`)).map((r) => `${String(r.flag)} ${Number(r.n)}`);

    const env = process.env;
    const spec = { project: env.BIGQUERY_PROJECT!, location: env.BIGQUERY_LOCATION!, ...(env.BIGQUERY_ACCESS_TOKEN ? { access_token: env.BIGQUERY_ACCESS_TOKEN } : { key_filename: env.GOOGLE_APPLICATION_CREDENTIALS! }) };

    beforeAll(async () => {
      conn = await connectBigQuery(spec, { readOnly: false });
      for (const d of [erp, dlt, dw]) await conn.execute(`CREATE SCHEMA \`${d}\``);
      await conn.execute(`CREATE TABLE \`${erp}\`.orders (id INT64 NOT NULL, created_at DATETIME, updated_at DATETIME, total NUMERIC(12, 2))`);
      await conn.execute(
        `INSERT INTO \`${erp}\`.orders SELECT n, DATETIME_ADD(DATETIME '2024-01-01 00:00:00', INTERVAL (n - 1) * 431 MINUTE), DATETIME_ADD(DATETIME '2024-01-01 00:05:00', INTERVAL (n - 1) * 431 MINUTE), CAST(MOD(n, 1000) / 10 AS NUMERIC) FROM UNNEST(GENERATE_ARRAY(1, ${ROWS})) AS n`,
      );
      // Partitioned by month on the cursor, which never changes here: cursor_immutable lets each slice read one partition.
      await conn.execute(
        `CREATE TABLE \`${dlt}\`.orders (id INT64 NOT NULL, created_at TIMESTAMP, updated_at TIMESTAMP, total NUMERIC(12, 2), _dlt_load_id STRING NOT NULL, _dlt_id STRING NOT NULL) PARTITION BY TIMESTAMP_TRUNC(created_at, MONTH)`,
      );
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'theseus-live-bq-'));
      config = path.join(dir, 'migrate.yaml');
      fs.writeFileSync(
        config,
        `dialect: bigquery\n${bigqueryConnectionYaml()}\nstate_schema: ${state}\ntables:\n  orders:\n    legacy: ${erp}.orders\n    target: ${dlt}.orders\n    view: ${dw}.orders_v\n    key: id\n    cursor: created_at\n    cursor_immutable: true\n    updated_at: updated_at\n`,
      );
    });
    afterAll(async () => {
      for (const d of [erp, dlt, dw, state]) await conn?.execute(`DROP SCHEMA IF EXISTS \`${d}\` CASCADE`).catch(() => undefined);
      await conn?.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("a transaction a killed run left open is rolled back when another session ends the dead one's (as a resumed run does)", async () => {
      const dead = await connectBigQuery(spec, { readOnly: false });
      const [{ id }] = await dead.query('SELECT @@session_id AS id');
      await dead.execute('BEGIN TRANSACTION');
      await dead.execute(`UPDATE \`${erp}\`.orders SET total = -1 WHERE id = 1`);
      // The process dies here: no COMMIT, no close. The next run ends the session it recorded.
      await conn.query(bigqueryOperatorLock(`\`${state}\``).sessions!.end(String(id)));
      // The open transaction is gone: a DML on the same table runs at once, and the update never landed.
      await conn.execute(`UPDATE \`${erp}\`.orders SET total = total WHERE id = 1`);
      expect(Number((await conn.query(`SELECT total FROM \`${erp}\`.orders WHERE id = 1`))[0].total)).not.toBe(-1);
    });

    it('stitch: the view shows legacy only', async () => {
      const r = run('stitch');
      expect(r.stderr).not.toMatch(/error/);
      expect(r.status).toBe(0);
      expect(await distribution()).toEqual([`legacy ${ROWS}`]);
    });

    it("backfill --plan: each window's bytes from its dry runs, the target read one partition at a time (cursor_immutable)", async () => {
      const r = run('backfill', '--all', '--plan');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^ {2}2024-01 .* read$/m);
      expect(r.stdout).toMatch(/bytes: .* read in all/);
    });

    it('backfill --all: every row in the target, counted from dmlStats; a rerun changes nothing', async () => {
      const r = run('backfill', '--all', '--max-parallel', '2');
      expect(r.stderr).not.toMatch(/error/);
      expect(r.status).toBe(0);
      expect(await distribution()).toEqual([`dlt ${ROWS}`]);
      const again = run('backfill', '--all', '--rerun');
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/0 inserted, 0 updated/);
    });

    it('verify passes on the checksums alone, and finds a changed row', async () => {
      expect(run('verify').status).toBe(0);
      await conn.execute(`UPDATE \`${dlt}\`.orders SET total = total + 1 WHERE id = 7`);
      expect(run('verify').status).toBe(4);
      await conn.execute(`UPDATE \`${dlt}\`.orders SET total = total - 1 WHERE id = 7`);
      expect(run('verify').status).toBe(0);
    });

    it('cutover, rollback, cutover again', async () => {
      expect(run('cutover').status).toBe(0);
      expect(await distribution()).toEqual([`dlt ${ROWS}`]);
      expect(run('rollback').status).toBe(0);
      expect(run('cutover').status).toBe(0);
    });

    it('retire snapshots legacy, then renames it; --drop keeps the snapshot unless --drop-snapshot', async () => {
      const r = run('retire');
      expect(r.stderr).not.toMatch(/error/);
      expect(r.status).toBe(0);
      const tables = async () => (await conn.query(`SELECT table_name, table_type FROM \`${erp}\`.INFORMATION_SCHEMA.TABLES`)).map((t) => `${String(t.table_name)} ${String(t.table_type)}`);
      expect((await tables()).some((t) => /__retired_\d{8}__snapshot SNAPSHOT$/.test(t))).toBe(true);
      expect(run('retire', '--drop', '--confirm', `${erp}.orders`).status).toBe(0);
      expect(run('retire', '--drop', '--drop-snapshot', '--confirm', `${erp}.orders`).status).toBe(0);
      expect((await tables()).filter((t) => /__retired_/.test(t))).toEqual([]);
    });
  });
}
