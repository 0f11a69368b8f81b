import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { PAYMENTS_PER_MONTH, PAYMENT_MONTHS, firstPaymentOf, loadPayments, payment } from './helpers/paymentsFixture';

/**
 * migrate verify on every engine, on a legacy table typed numeric(12,2) /
 * timestamp against dlt's double / timestamptz: a clean migration verifies
 * green; each planted fault is caught and named by window and kind; cutover
 * is gated on the validation marks.
 */
interface WindowJson {
  window: string;
  legacyRows: number;
  targetRows?: number;
  failures: string[];
  metrics: Array<{ column: string; legacy: string; target: string; ok: boolean }>;
  samples?: Array<{ key: string; difference: string; columns: Array<{ column: string; legacy: string | null; target: string | null }> }>;
  method: string;
}
interface ReportJson {
  ok: boolean;
  tables: Array<{ table: string; ok: boolean; windows: WindowJson[]; outside: Array<{ month: string; rows: number }> }>;
}

describe.each(testEngines())('migrate verify on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  const ROWS = PAYMENTS_PER_MONTH * PAYMENT_MONTHS;
  beforeAll(async () => {
    s = await openSandbox(engine);
    config = s.writeConfig(await loadPayments(s));
  });
  afterAll(async () => s?.drop());
  const run = (...args: string[]) => cli([...args, '--config', config]);
  const target = () => s.q('dlt_schema', 'payments');
  const legacy = () => s.q('legacy_schema', 'payments');
  const marks = async () =>
    Object.fromEntries((await s.query(`SELECT window_key, status FROM ${s.q('_migrate', 'validations')} WHERE table_name = 'payments' ORDER BY window_key`)).map((r) => [String(r.window_key), String(r.status)]));
  const report = (stdout: string) => JSON.parse(stdout) as ReportJson;
  const windowOf = (r: ReportJson, key: string) => r.tables[0].windows.find((w) => w.window === key)!;

  it('backfill validates each window as it goes: every month is marked validated with equal checksums on both sides', async () => {
    expect(run('stitch').status).toBe(0);
    const r = run('backfill', '--all');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const rows = await s.query(`SELECT window_key, status, legacy_rows, target_rows, legacy_checksum, target_checksum, sums FROM ${s.q('_migrate', 'validations')} ORDER BY window_key`);
    expect(rows).toHaveLength(PAYMENT_MONTHS);
    for (const row of rows) {
      expect(row.status).toBe('validated');
      expect(Number(row.legacy_rows)).toBe(PAYMENTS_PER_MONTH);
      expect(Number(row.target_rows)).toBe(PAYMENTS_PER_MONTH);
      expect(String(row.legacy_checksum)).toMatch(/^\d{15,}$/);
      expect(String(row.target_checksum)).toBe(String(row.legacy_checksum));
      const [sum] = JSON.parse(String(row.sums)) as Array<{ legacy: string; target: string }>;
      expect(sum.target).toBe(sum.legacy);
    }
  });

  it('a clean migration verifies green across types (numeric(12,2)/timestamp against double/timestamptz), with per-month sums', async () => {
    const note = path.join(s.dir, 'clean-note.md');
    const r = run('verify', '--json', '--markdown', note);
    expect(r.status).toBe(0);
    // The change note for stakeholders: what moved, the period, rows and sums before/after per month, the result, who and which runs.
    const text = fs.readFileSync(note, 'utf8');
    expect(text).toMatch(/^# Change note: history of payments moved to the dlt tables\n\nVerified \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC by \*\*\S+\*\* \(Theseus [\d.]+, \w+, verify run `[\w.-]+`\)\.\n\n\*\*Result: PASSED, every legacy row is in the new table with the same values\.\*\*/);
    expect(text).toContain('- **Period:** 2023-01 to 2023-12 (12 windows).');
    expect(text).toContain(`- **Rows:** ${ROWS} legacy rows, ${ROWS} of them in the new table.`);
    expect(text).toContain('Compared per row: payment_id, paid_at (UTC microseconds), amount (decimal, 2 places), note; not compared: _dlt_load_id, _dlt_id. Sums reconciled: amount (tolerance 0).');
    expect(text).toMatch(/- \*\*Backfill runs:\*\* `[\w.-]+`\./);
    expect(text).toContain('| Month | Rows before | Rows after | amount before | amount after | Result |');
    expect(text).toMatch(/\| 2023-03 \| 50 \| 50 \| (\d+\.\d\d) \| \1 \| ok \|/);
    const json = report(r.stdout);
    expect(json.ok).toBe(true);
    expect(json.tables[0].windows.map((w) => w.window)).toEqual(Array.from({ length: PAYMENT_MONTHS }, (_, i) => `2023-${String(i + 1).padStart(2, '0')}`));
    const march = windowOf(json, '2023-03');
    const expected = Array.from({ length: PAYMENTS_PER_MONTH }, (_, i) => Number(payment(firstPaymentOf(3) + i).amount) * 100).reduce((a, b) => a + b, 0);
    expect(march).toMatchObject({ legacyRows: PAYMENTS_PER_MONTH, targetRows: PAYMENTS_PER_MONTH, failures: [], method: 'checksums' });
    expect(march.metrics).toEqual([{ column: 'amount', legacy: (expected / 100).toFixed(2), target: (expected / 100).toFixed(2), ok: true }]);
    expect(Object.values(await marks())).toEqual(new Array(PAYMENT_MONTHS).fill('validated'));
  });

  const FEB = firstPaymentOf(2) + 3;
  const MAR = firstPaymentOf(3) + 4;
  const APR = firstPaymentOf(4) + 5;
  const MAY = firstPaymentOf(5) + 6;
  const JUN = firstPaymentOf(6) + 7;

  it('each planted fault is caught and named by window and kind, with the differing rows side by side', async () => {
    const q = (n: string) => s.quote(n);
    await s.exec(`DELETE FROM ${target()} WHERE payment_id = ${FEB}`);
    if (engine === 'mysql') await s.exec(`ALTER TABLE ${target()} DROP PRIMARY KEY`);
    await s.exec(`INSERT INTO ${target()} SELECT payment_id, paid_at, amount, 'dup', ${q('_dlt_load_id')}, ${q('_dlt_id')} FROM ${target()} WHERE payment_id = ${MAR}`);
    await s.exec(`UPDATE ${target()} SET note = 'tampered' WHERE payment_id = ${APR}`);
    const hourLater = engine === 'mysql' ? 'paid_at + INTERVAL 1 HOUR' : "paid_at + INTERVAL '1 hour'";
    await s.exec(`UPDATE ${target()} SET paid_at = ${hourLater} WHERE payment_id = ${MAY}`);
    expect(Number(payment(JUN).amount) % 1).not.toBe(0);
    await s.exec(`UPDATE ${target()} SET amount = ${Math.round(Number(payment(JUN).amount))} WHERE payment_id = ${JUN}`);
    await s.exec(`INSERT INTO ${legacy()} VALUES (9001, '2021-07-15 12:00:00', 10.00, 'late import')`);

    const note = path.join(s.dir, 'change-note.md');
    const r = run('verify', '--json', '--sample', '3', '--markdown', note);
    expect(r.status).toBe(4);
    const febSum = (legacySum: number) => `${legacySum.toFixed(2)} → ${(legacySum - Number(payment(FEB).amount)).toFixed(2)}`;
    const feb = Array.from({ length: PAYMENTS_PER_MONTH }, (_, i) => Number(payment(firstPaymentOf(2) + i).amount)).reduce((a, b) => a + b, 0);
    expect(r.stderr).toContain(
      `error [VERIFY_FAILED]: payments: 5 windows failed verification: 2023-02 (1 missing key, sums differ (amount ${febSum(feb)})); 2023-03 (1 changed row, 1 duplicate key in the target, 1 duplicate key in the view); 2023-04 (1 changed row); 2023-05 (1 changed row); 2023-06 (1 changed row, sums differ (amount `,
    );
    expect(r.stderr).toContain('legacy rows outside every window: 2021-07 (1 row)');
    const json = report(r.stdout);
    expect(json.ok).toBe(false);
    const failures = Object.fromEntries(json.tables[0].windows.filter((w) => w.failures.length).map((w) => [w.window, w.failures]));
    expect(failures).toEqual({
      '2023-02': ['missing_keys', 'sum_mismatch'],
      // The second row holds the key with another note, so it also differs from legacy's.
      '2023-03': ['changed_rows', 'duplicate_keys_in_target', 'duplicate_keys_in_view'],
      '2023-04': ['changed_rows'],
      '2023-05': ['changed_rows'],
      '2023-06': ['changed_rows', 'sum_mismatch'],
    });
    expect(json.tables[0].outside).toEqual([{ month: '2021-07', rows: 1 }]);

    expect(windowOf(json, '2023-02').samples).toEqual([{ key: String(FEB), difference: 'missing', columns: expect.arrayContaining([{ column: 'note', legacy: payment(FEB).note, target: null }]) }]);
    expect(windowOf(json, '2023-04').samples).toEqual([{ key: String(APR), difference: 'changed', columns: [{ column: 'note', legacy: payment(APR).note, target: 'tampered' }] }]);
    const shifted = windowOf(json, '2023-05').samples![0];
    expect(shifted).toMatchObject({ key: String(MAY), difference: 'changed' });
    expect(shifted.columns.map((c) => c.column)).toEqual(['paid_at']);
    expect(shifted.columns[0].legacy).toContain(payment(MAY).paidAt);
    const rounded = windowOf(json, '2023-06');
    expect(rounded.samples![0].columns.map((c) => c.column)).toEqual(['amount']);
    expect(rounded.metrics[0].ok).toBe(false);
    expect(Number(rounded.metrics[0].legacy) - Number(rounded.metrics[0].target)).toBeCloseTo(Number(payment(JUN).amount) - Math.round(Number(payment(JUN).amount)), 2);

    expect(fs.readFileSync(note, 'utf8')).toContain('| 2023-02 | 50 | 49 |');
    const ledger = await marks();
    expect(ledger['2023-01']).toBe('validated');
    for (const m of ['02', '03', '04', '05', '06']) expect(ledger[`2023-${m}`]).toBe('failed');
  });

  it('cutover refuses while any window is not validated, and names them', async () => {
    const r = run('cutover');
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('error [NOT_VALIDATED]: payments: legacy rows in 6 months are in no validated window: 2021-07, 2023-02, 2023-03, 2023-04, 2023-05, 2023-06');
  });

  it('after repairs a re-verify restores the marks; cutover --force needs a reason, which the run log keeps', async () => {
    await s.exec(`DELETE FROM ${legacy()} WHERE payment_id = 9001`);
    await s.exec(`DELETE FROM ${target()} WHERE payment_id = ${MAR} AND note = 'dup'`);
    if (engine === 'mysql') await s.exec(`ALTER TABLE ${target()} ADD PRIMARY KEY (payment_id)`);
    // Re-running a month repairs it (and validates it again); April is left tampered.
    for (const m of ['02', '05', '06']) expect(run('backfill', '--month', `2023-${m}`).status).toBe(0);
    const r = run('verify');
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('payments: 1 window failed verification: 2023-04 (1 changed row)');
    expect(r.stdout).toMatch(/2023-04 +50 +50 +0 +50 +0 +0 +1 +0\/0 +[\d.]+ +[\d.]+ +FAILED: 1 changed row/);
    expect(Object.entries(await marks()).filter(([, status]) => status !== 'validated')).toEqual([['2023-04', 'failed']]);

    expect(run('cutover', '--force').status).toBe(2);
    const forced = run('cutover', '--force', '--reason', 'April notes were edited on purpose (TICKET-7)');
    expect(forced.stdout).toContain('2023-04 (failed verification: 2023-04); cutting over anyway (--force), reason: April notes were edited on purpose (TICKET-7)');
    expect(forced.status).toBe(0);
    const [log] = await s.query(`SELECT arguments, outcome FROM ${s.q('_migrate', 'runs')} WHERE command = 'cutover' AND outcome = 'succeeded'`);
    expect(String(log.arguments)).toContain('April notes were edited on purpose (TICKET-7)');
    // verify still works after cutover (the view is the target alone now).
    expect(run('verify', '--month', '2023-01').status).toBe(0);
  });
});

describe.each(testEngines())('validate as you go on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    // Legacy read through a view whose amounts differ on every read, so what the slice merged is not what its
    // check reads back. (A narrower target column, the old fault here, is now refused before any slice: TYPE_NARROWING.)
    config = s.writeConfig(await loadPayments(s));
    const raw = s.q('legacy_schema', 'payments_raw');
    await s.exec(`ALTER TABLE ${s.q('legacy_schema', 'payments')} RENAME TO ${engine === 'mysql' ? raw : 'payments_raw'}`);
    const random = engine === 'mysql' ? 'RAND()' : 'random()';
    await s.exec(`CREATE VIEW ${s.q('legacy_schema', 'payments')} AS SELECT payment_id, paid_at, CAST(amount + 1 + ${random} AS DECIMAL(12,2)) AS amount, note FROM ${raw}`);
  });
  afterAll(async () => s?.drop());

  it('backfill stops at the first window that fails validation, rolls it back and leaves it unmarked', async () => {
    expect(cli(['stitch', '--config', config]).status).toBe(0);
    const r = cli(['backfill', '--all', '--config', config]);
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/error \[VALIDATION_FAILED\]: payments 2023-01: \d+ changed rows, sums differ \(amount [\d.]+ → [\d.]+\)/);
    const slices = await s.query(`SELECT window_key, status FROM ${s.q('_migrate', 'slices')} ORDER BY window_key`);
    expect(slices.slice(0, 2).map((x) => `${x.window_key}:${x.status}`)).toEqual(['2023-01:failed', '2023-02:pending']);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.q('dlt_schema', 'payments')}`))[0].n)).toBe(0);
    expect(await s.query(`SELECT * FROM ${s.q('_migrate', 'validations')}`)).toEqual([]);
  });
});
