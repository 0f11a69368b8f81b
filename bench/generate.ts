import type { Connection } from '../dialects/types';
import type { EngineName } from './settings';

/**
 * The benchmark's tables, generated inside the engine (a row-by-row load from
 * Node would measure Node, not the engine). Legacy rows are spread evenly over
 * the months from 2021-01 and generated in cursor order, as an append-only
 * orders table grows.
 */

/** The columns legacy and the target share; the baseline copy and the plain union select these. */
export const ORDER_COLUMNS = 'id, customer_id, created_at, updated_at, total, status, note';

/** The few expressions and types the engines spell differently. */
interface Spelling {
  series(n: number): string;
  intDiv(a: string, b: string): string;
  double: string;
  monthStart(m: string): string;
  /** A point `frac` (0 ≤ frac < 1) of the way from `start` to `end`, to the second. */
  between(start: string, end: string, frac: string): string;
  /** Row i's note: 'order <i> imported from ERP'. */
  orderNote(i: string): string;
  twoDaysAfter(ts: string): string;
  /** A naive timestamp column's type (MySQL's TIMESTAMP is zoned and ends in 2038). */
  timestamp: string;
  /** The type a cast to a decimal names (MySQL's CAST takes DECIMAL only). */
  decimal: string;
  /** A text column of the target with no length in mind (MySQL's VARCHAR needs one). */
  text: string;
}

/** What PostgreSQL and DuckDB spell the same (standard SQL). */
const STANDARD: Pick<Spelling, 'orderNote' | 'twoDaysAfter' | 'timestamp' | 'decimal' | 'text'> = {
  orderNote: (i) => `'order ' || CAST(${i} AS varchar) || ' imported from ERP'`,
  twoDaysAfter: (ts) => `${ts} + INTERVAL '2 days'`,
  timestamp: 'timestamp',
  decimal: 'numeric(12,2)',
  text: 'varchar',
};

const SPELLING: Record<EngineName, Spelling> = {
  postgres: {
    series: (n) => `generate_series(1::bigint, ${n}::bigint) AS g(i)`,
    intDiv: (a, b) => `(${a}) / (${b})`,
    double: 'float8',
    monthStart: (m) => `(TIMESTAMP '2021-01-01' + make_interval(months => CAST(${m} AS integer)))`,
    between: (s, e, f) => `date_trunc('second', ${s} + (${e} - ${s}) * ${f})`,
    ...STANDARD,
  },
  duckdb: {
    series: (n) => `range(1, ${n + 1}) AS g(i)`,
    intDiv: (a, b) => `(${a}) // (${b})`,
    double: 'DOUBLE',
    monthStart: (m) => `(TIMESTAMP '2021-01-01' + to_months(CAST(${m} AS INTEGER)))`,
    between: (s, e, f) => `${s} + to_seconds(CAST(floor((epoch(${e}) - epoch(${s})) * ${f}) AS BIGINT))`,
    ...STANDARD,
  },
  // MariaDB's sequence engine makes the series (MySQL 8 has none: a recursive CTE would be needed there).
  mysql: {
    series: (n) => `(SELECT seq AS i FROM mysql.seq_1_to_${n}) AS g`,
    intDiv: (a, b) => `(${a}) DIV (${b})`,
    double: 'DOUBLE',
    monthStart: (m) => `(TIMESTAMP '2021-01-01 00:00:00' + INTERVAL (${m}) MONTH)`,
    between: (s, e, f) => `TIMESTAMPADD(SECOND, FLOOR(TIMESTAMPDIFF(SECOND, ${s}, ${e}) * ${f}), ${s})`,
    orderNote: (i) => `CONCAT('order ', CAST(${i} AS CHAR), ' imported from ERP')`,
    twoDaysAfter: (ts) => `${ts} + INTERVAL 2 DAY`,
    timestamp: 'DATETIME',
    decimal: 'DECIMAL(12,2)',
    text: 'VARCHAR(64)',
  },
};

export function legacyDdl(table: string, engine: EngineName): string {
  const s = SPELLING[engine];
  return `CREATE TABLE ${table} (
  id bigint NOT NULL, customer_id integer, created_at ${s.timestamp} NOT NULL, updated_at ${s.timestamp},
  total numeric(12,2), status varchar(16), note varchar(64))`;
}

/** dlt's shape of the same table: snake_case, bigint ids, dlt's two bookkeeping columns. */
export function targetDdl(table: string, engine: EngineName): string {
  const s = SPELLING[engine];
  return `CREATE TABLE ${table} (
  id bigint PRIMARY KEY, customer_id bigint, created_at ${s.timestamp}, updated_at ${s.timestamp},
  total numeric(12,2), status varchar(16), note varchar(64),
  _dlt_load_id ${s.text} NOT NULL, _dlt_id ${s.text} NOT NULL)`;
}

/**
 * Fills `table` with `rows` rows over `months` months: row i falls in month
 * floor((i-1)·months/rows), at the same fraction of that month as its place
 * among the month's rows. Series order is cursor order, and both engines
 * keep insertion order, so no sort is needed. Every 10th row was updated two
 * days after it was created; every 5th has no note.
 */
export function legacyInsert(engine: EngineName, table: string, rows: number, months: number): string {
  const s = SPELLING[engine];
  const m = s.intDiv(`(i - 1) * ${months}`, String(rows));
  const frac = `CAST(((i - 1) * ${months}) % ${rows} AS ${s.double}) / ${rows}`;
  const created = s.between('ms', 'me', 'frac');
  return `INSERT INTO ${table} (${ORDER_COLUMNS})
SELECT i,
  CAST(i * 7919 % 50000 + 1 AS integer),
  created_at,
  CASE WHEN i % 10 = 0 THEN ${s.twoDaysAfter('created_at')} ELSE created_at END,
  CAST((i * 104729 % 100000) / 100.0 AS ${s.decimal}),
  CASE i % 10 WHEN 0 THEN 'refunded' WHEN 1 THEN 'pending' WHEN 2 THEN 'shipped' WHEN 3 THEN 'shipped' ELSE 'paid' END,
  CASE WHEN i % 5 = 0 THEN NULL ELSE ${s.orderNote('i')} END
FROM (
  SELECT i, ${created} AS created_at
  FROM (SELECT i, ${s.monthStart('m')} AS ms, ${s.monthStart('m + 1')} AS me, frac
        FROM (SELECT i, ${m} AS m, ${frac} AS frac FROM ${s.series(rows)}) AS p) AS b
) AS c`;
}

/** Creates and fills a legacy table, then its key and cursor index (after the load: cheaper than maintaining them per row). */
export async function createLegacy(conn: Connection, engine: EngineName, schema: string, name: string, rows: number, months: number): Promise<void> {
  const table = `${schema}.${name}`;
  await conn.execute(legacyDdl(table, engine));
  await conn.execute(legacyInsert(engine, table, rows, months));
  await conn.execute(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
  await conn.execute(`CREATE INDEX ${name}_created_at ON ${table} (created_at)`);
}

export async function createSchemas(conn: Connection): Promise<void> {
  for (const schema of ['legacy_schema', 'dlt_schema', 'analytics']) await conn.execute(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
}

/** Fresh statistics and visibility map on PostgreSQL, so plans see the loaded table, not an empty one; DuckDB keeps its statistics as it loads. */
export async function analyze(conn: Connection, engine: EngineName, table: string): Promise<void> {
  if (engine === 'postgres') await conn.execute(`VACUUM ANALYZE ${table}`);
  if (engine === 'mysql') await conn.query(`ANALYZE TABLE ${table}`);
}

/** Step 1: the legacy orders of the main benchmark and the empty dlt target. */
export async function createOrdersDataset(conn: Connection, engine: EngineName, rows: number, months: number): Promise<void> {
  await createSchemas(conn);
  await createLegacy(conn, engine, 'legacy_schema', 'orders', rows, months);
  await analyze(conn, engine, 'legacy_schema.orders');
  await conn.execute(targetDdl('dlt_schema.orders', engine));
}
