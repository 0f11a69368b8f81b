import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox, testEngines } from './helpers/engines';

/**
 * Alignment finds the column dlt made from a legacy name on each engine, through
 * the real CLI: a CamelCase name whose snake_case is longer than dlt's limit
 * for the engine (PostgreSQL 63, MariaDB 64) lands in the column dlt shortened
 * around its hash tag; and `Amount__InEur` (dlt keeps `__`, its separator of
 * nested names) and `Amount_InEur` feed two different columns.
 * The target names were computed by dlt 1.26's own naming code.
 */

const TYPES = {
  duckdb: { big: 'BIGINT', ts: 'TIMESTAMP' },
  postgres: { big: 'bigint', ts: 'timestamp' },
  mysql: { big: 'BIGINT', ts: 'DATETIME' },
} as const;

/** 63 characters: PostgreSQL and MariaDB keep it whole; its snake_case has 74. */
const LONG_LEGACY = 'CustomerLifetimeValueAfterDiscountsAndReturnsInEuroCentsInclVat';
/** The column dlt creates from LONG_LEGACY on each engine. */
const LONG_TARGET = {
  postgres: 'customer_lifetime_value_afterryircwturns_in_euro_cents_incl_vat',
  mysql: 'customer_lifetime_value_afterryircweturns_in_euro_cents_incl_vat',
  duckdb: 'customer_lifetime_value_after_discounts_and_returns_in_euro_cents_incl_vat',
} as const;

describe.each(testEngines())("alignment by dlt's names on %s", (engine) => {
  let s: Sandbox;
  beforeAll(async () => {
    s = await openSandbox(engine);
  });
  afterAll(async () => s?.drop());

  it('a long CamelCase legacy column feeds the column dlt shortened; names differing by __ feed different columns', async () => {
    const t = TYPES[engine];
    const long = LONG_TARGET[engine];
    await s.createSchema('src');
    await s.createSchema('dst');
    await s.exec(`CREATE TABLE ${s.q('src', 'clients')} (${s.quote('ClientId')} ${t.big} PRIMARY KEY, ${s.quote('CreatedAt')} ${t.ts}, ${s.quote(LONG_LEGACY)} ${t.big}, ${s.quote('Amount__InEur')} ${t.big}, ${s.quote('Amount_InEur')} ${t.big})`);
    await s.exec(`CREATE TABLE ${s.q('dst', 'clients')} (client_id ${t.big} NOT NULL PRIMARY KEY, created_at ${t.ts}, ${s.quote(long)} ${t.big}, amount__in_eur ${t.big}, amount_in_eur ${t.big})`);
    await s.exec(`INSERT INTO ${s.q('src', 'clients')} VALUES (1, TIMESTAMP '2024-01-05 10:00:00', 1100, 7, 70), (2, TIMESTAMP '2024-02-05 10:00:00', 2200, 8, 80)`);
    const config = s.writeConfig(`tables:
  clients:
    legacy: ${s.ref('src', 'clients')}
    target: ${s.ref('dst', 'clients')}
    view: ${s.ref('dw', 'clients')}
    key: client_id
    cursor: created_at
`);

    const stitched = cli(['stitch', '--config', config]);
    expect(stitched.stderr).not.toContain('feed no target column');
    expect(stitched.status).toBe(0);
    const backfilled = cli(['backfill', '--all', '--config', config]);
    expect(backfilled.status).toBe(0);
    const rows = await s.query(`SELECT client_id AS id, ${s.quote(long)} AS clv, amount__in_eur AS nested, amount_in_eur AS flat FROM ${s.q('dst', 'clients')} ORDER BY client_id`);
    expect(rows.map((r) => [Number(r.id), Number(r.clv), Number(r.nested), Number(r.flat)])).toEqual([
      [1, 1100, 7, 70],
      [2, 2200, 8, 80],
    ]);
  });
});
