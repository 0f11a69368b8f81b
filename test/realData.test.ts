import * as path from 'node:path';
import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { datasetsDir, statementsStarting, warnDatasetsMissing } from './helpers/datasets';

/**
 * Real-world schemas from the public sample databases: Sakila's `payment`
 * (unsigned ints, DATETIME cursor, TIMESTAMP last_update) on MariaDB, and
 * Chinook's `Invoice` (CamelCase on MySQL, snake_case on PostgreSQL) into
 * dlt-style snake_case targets. Each goes stitch → backfill --all → cutover
 * with the Definition of Done asserted, then a per-month reconciliation of
 * row counts and sums between legacy and target.
 */
const datasets = datasetsDir();
if (!datasets) warnDatasetsMissing('the Sakila and Chinook migrations');
const engines = datasets ? testEngines() : [];

/** Per month: rows and the sum of a money column, as text so decimals compare exactly. */
async function monthly(s: Sandbox, table: string, dateColumn: string, amountColumn: string): Promise<string[]> {
  const month = s.engine === 'mysql' ? `DATE_FORMAT(${dateColumn}, '%Y-%m')` : `to_char(${dateColumn}, 'YYYY-MM')`;
  const rows = await s.query(`SELECT ${month} AS m, count(*) AS n, CAST(sum(${amountColumn}) AS CHAR(40)) AS total FROM ${table} GROUP BY ${month} ORDER BY 1`.replace('CHAR(40)', s.engine === 'mysql' ? 'CHAR(40)' : 'varchar'));
  return rows.map((r) => `${String(r.m)} ${Number(r.n)} ${Number(r.total).toFixed(2)}`);
}

async function walkLifecycle(s: Sandbox, config: string, rows: number, flags: string[] = []): Promise<void> {
  const stitch = cli(['stitch', '--config', config]);
  expect(stitch.stderr).not.toMatch(/error/);
  expect(stitch.stdout).toContain(`('legacy', ${rows})`);
  const backfill = cli(['backfill', '--all', ...flags, '--config', config]);
  expect(backfill.stderr).not.toMatch(/error/);
  expect(backfill.status).toBe(0);
  expect(backfill.stdout).toContain('complete: every legacy row is in the target');
  const cutover = cli(['cutover', '--config', config]);
  expect(cutover.status).toBe(0);
  expect(cutover.stdout).toContain(`view after cutover: ('dlt', ${rows})`);
}

const sakilaEngines = engines.filter((e) => e === 'mysql');
describe.each(sakilaEngines)('Sakila payment on %s', (engine) => {
  let s: Sandbox;
  beforeAll(async () => {
    s = await openSandbox(engine);
    await s.createSchema('legacy_db');
    await s.createSchema('dlt_db');
    const legacy = s.q('legacy_db', 'payment');
    const [create] = statementsStarting(path.join(datasets!, 'sakila', 'sakila-mv-schema.sql'), 'CREATE TABLE payment (');
    // Only payment is loaded, so its foreign keys to rental, customer and staff go.
    const withoutForeignKeys = create
      .split('\n')
      .filter((line) => !/^\s*CONSTRAINT fk_/.test(line))
      .join('\n')
      .replace(/,(\s*\)\s*ENGINE)/, '$1');
    await s.exec(withoutForeignKeys.replace('CREATE TABLE payment', `CREATE TABLE ${legacy}`));
    for (const insert of statementsStarting(path.join(datasets!, 'sakila', 'sakila-mv-data.sql'), 'INSERT INTO payment VALUES')) {
      await s.exec(insert.replace('INSERT INTO payment', `INSERT INTO ${legacy}`));
    }
    // The table a dlt pipeline would load: bigint ids, its own decimal and timestamp types, dlt's columns, no key yet.
    await s.exec(`CREATE TABLE ${s.q('dlt_db', 'payment')} (
      payment_id BIGINT NOT NULL, customer_id BIGINT, staff_id BIGINT, rental_id BIGINT, amount DECIMAL(10,2),
      payment_date DATETIME(6), last_update DATETIME(6), _dlt_load_id VARCHAR(64) NOT NULL, _dlt_id VARCHAR(64) NOT NULL)`);
  });
  afterAll(async () => s?.drop());

  it('refuses to upsert without a unique index on the key, then migrates with --create-key-index and reconciles every month', async () => {
    const config = s.writeConfig(`tables:
  payment:
    legacy: ${s.ref('legacy_db', 'payment')}
    target: ${s.ref('dlt_db', 'payment')}
    view: ${s.ref('dw', 'payment')}
    key: payment_id
    cursor: payment_date
    updated_at: last_update
`);
    const [{ n }] = await s.query(`SELECT count(*) AS n FROM ${s.q('legacy_db', 'payment')}`);
    const rows = Number(n);
    expect(rows).toBe(16049);

    expect(cli(['stitch', '--config', config]).status).toBe(0);
    const refused = cli(['backfill', '--all', '--config', config]);
    expect(refused.status).toBe(3);
    expect(refused.stderr).toContain('error [KEY_INDEX_MISSING]: payment: mysql upserts with INSERT … ON DUPLICATE KEY UPDATE, which needs a unique index on the key (payment_id)');
    expect(refused.stderr).toContain(`CREATE UNIQUE INDEX \`payment__theseus_key\` ON ${s.q('dlt_db', 'payment')} (\`payment_id\`)`);

    await walkLifecycle(s, config, rows, ['--create-key-index']);
    const legacy = await monthly(s, s.q('legacy_db', 'payment'), 'payment_date', 'amount');
    expect(legacy.length).toBeGreaterThanOrEqual(5);
    expect(await monthly(s, s.q('dlt_db', 'payment'), 'payment_date', 'amount')).toEqual(legacy);
    const [ids] = await s.query(`SELECT count(DISTINCT payment_id) AS k, count(*) AS n FROM ${s.q('dw', 'payment')}`);
    expect([Number(ids.k), Number(ids.n)]).toEqual([rows, rows]);
  });
});

const chinookEngines = engines.filter((e) => e === 'mysql' || e === 'postgres');
describe.each(chinookEngines)('Chinook Invoice on %s', (engine) => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox(engine);
    await s.createSchema('legacy_db');
    await s.createSchema('dlt_db');
    const legacy = s.q('legacy_db', 'Invoice');
    if (engine === 'mysql') {
      const file = path.join(datasets!, 'chinook', 'Chinook_MySql.sql');
      const [create] = statementsStarting(file, 'CREATE TABLE `Invoice`');
      await s.exec(create.replace('CREATE TABLE `Invoice`', `CREATE TABLE ${legacy}`));
      for (const insert of statementsStarting(file, 'INSERT INTO `Invoice` ')) await s.exec(insert.replace('INSERT INTO `Invoice`', `INSERT INTO ${legacy}`));
    } else {
      const file = path.join(datasets!, 'chinook', 'Chinook_PostgreSql.sql');
      const [create] = statementsStarting(file, 'CREATE TABLE invoice');
      await s.exec(create.replace(/^CREATE TABLE invoice/, `CREATE TABLE ${legacy}`));
      for (const insert of statementsStarting(file, 'INSERT INTO invoice ')) await s.exec(insert.replace('INSERT INTO invoice', `INSERT INTO ${legacy}`));
    }
    const t = engine === 'mysql' ? { id: 'BIGINT', ts: 'DATETIME(6)', str: 'VARCHAR(255)', dec: 'DECIMAL(12,2)' } : { id: 'bigint', ts: 'timestamptz', str: 'text', dec: 'numeric(12,2)' };
    await s.exec(`CREATE TABLE ${s.q('dlt_db', 'invoice')} (
      invoice_id ${t.id} NOT NULL PRIMARY KEY, customer_id ${t.id}, invoice_date ${t.ts}, billing_address ${t.str}, billing_city ${t.str},
      billing_state ${t.str}, billing_country ${t.str}, billing_postal_code ${t.str}, total ${t.dec}, _dlt_load_id ${t.str} NOT NULL, _dlt_id ${t.str} NOT NULL)`);
    config = s.writeConfig(`tables:
  invoice:
    legacy: ${s.ref('legacy_db', 'Invoice')}
    target: ${s.ref('dlt_db', 'invoice')}
    view: ${s.ref('dw', 'invoice')}
    key: invoice_id
    cursor: invoice_date
`);
  });
  afterAll(async () => s?.drop());

  it('aligns the legacy columns by dlt naming, migrates, and reconciles every month', async () => {
    const dryRun = cli(['stitch', '--dry-run', '--config', config]);
    expect(dryRun.status).toBe(0);
    if (engine === 'mysql') {
      // CamelCase legacy columns feed the snake_case target: InvoiceId → invoice_id, BillingCity → billing_city, …
      expect(dryRun.stdout).toContain('CAST(`InvoiceId` AS SIGNED) AS `invoice_id`');
      expect(dryRun.stdout).toMatch(/CAST\(`BillingPostalCode` AS CHAR\(\d+\)\) AS `billing_postal_code`/);
      expect(dryRun.stdout).toContain('NOT ATOMIC on mysql');
    }
    expect(dryRun.stderr).not.toContain('feed no target column');

    await walkLifecycle(s, config, 412);
    const legacyDate = engine === 'mysql' ? '`InvoiceDate`' : 'invoice_date';
    const legacyTotal = engine === 'mysql' ? '`Total`' : 'total';
    const legacy = await monthly(s, s.q('legacy_db', 'Invoice'), legacyDate, legacyTotal);
    expect(legacy.length).toBe(60);
    expect(await monthly(s, s.q('dlt_db', 'invoice'), 'invoice_date', 'total')).toEqual(legacy);
    const [city] = await s.query(`SELECT billing_city AS c FROM ${s.q('dlt_db', 'invoice')} WHERE invoice_id = 1`);
    expect(city.c).toBe('Stuttgart');
  });
});
