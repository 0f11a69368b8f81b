import type { Sandbox } from './engines';

/**
 * The demo's shape on any engine: a legacy ERP `orders` table (PascalCase
 * names, a float total, a column nobody needs) and the empty table a dlt
 * pipeline loads (snake_case, decimal total, a new column, dlt's columns).
 * Rows are spread over 24 months (2023-01 … 2024-12); every 10th row was
 * updated after it was created; row 13 has no CreatedAt.
 */
const TYPES = {
  duckdb: { big: 'BIGINT', int: 'INTEGER', ts: 'TIMESTAMP', dbl: 'DOUBLE', str: 'VARCHAR', dec: 'DECIMAL(12,2)' },
  postgres: { big: 'bigint', int: 'integer', ts: 'timestamp', dbl: 'double precision', str: 'varchar(64)', dec: 'numeric(12,2)' },
  mysql: { big: 'BIGINT', int: 'INT', ts: 'DATETIME', dbl: 'DOUBLE', str: 'VARCHAR(64)', dec: 'DECIMAL(12,2)' },
} as const;

const START = Date.UTC(2023, 0, 1) / 1000;
const TWO_YEARS = 63_072_000;

/** A small deterministic hash, so every engine gets the very same rows. */
function mix(n: number): number {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export function timestampText(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export interface LegacyOrder {
  id: number;
  customerId: number;
  createdAt: string | null;
  updatedAt: string | null;
  total: number;
  status: string;
}

export function legacyOrder(i: number): LegacyOrder {
  const created = START + (mix(i * 7) % TWO_YEARS);
  const noCursor = i % 25000 === 13;
  return {
    id: i,
    customerId: (mix(i) % 5000) + 1,
    createdAt: noCursor ? null : timestampText(created),
    updatedAt: noCursor ? null : timestampText(i % 10 === 0 ? created + 86400 * (1 + (i % 30)) : created),
    total: (mix(i * 31) % 100000) / 100,
    status: i % 10 === 0 ? 'refunded' : i % 3 === 0 ? 'shipped' : 'paid',
  };
}

export interface OrdersOptions {
  rows: number;
  /** Give the target a primary key on id (MySQL/MariaDB's upsert needs a unique index). Default: only where required. */
  targetKey?: boolean;
}

/** Creates legacy_schema.orders with `rows` rows and an empty dlt_schema.orders; returns the tables: part of a config. */
export async function loadOrders(s: Sandbox, options: OrdersOptions): Promise<string> {
  const t = TYPES[s.engine];
  const q = s.quote;
  await s.createSchema('legacy_schema');
  await s.createSchema('dlt_schema');
  await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'orders')} (
    ${q('Id')} ${t.big} PRIMARY KEY, ${q('CustomerId')} ${t.int}, ${q('CreatedAt')} ${t.ts}, ${q('UpdatedAt')} ${t.ts},
    order_total ${t.dbl}, ${q('Status')} ${t.str}, legacy_note ${t.str})`);
  const targetKey = options.targetKey ?? s.dialect.capabilities.upsert !== 'merge';
  await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'orders')} (
    id ${t.big} NOT NULL${targetKey ? ' PRIMARY KEY' : ''}, customer_id ${t.big}, created_at ${t.ts}, updated_at ${t.ts},
    total ${t.dec}, status ${t.str}, channel ${t.str}, _dlt_load_id ${t.str} NOT NULL, _dlt_id ${t.str} NOT NULL)`);
  const lit = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : s.dialect.stringLiteral(v));
  for (let from = 1; from <= options.rows; from += 1000) {
    const values: string[] = [];
    for (let i = from; i < Math.min(from + 1000, options.rows + 1); i++) {
      const o = legacyOrder(i);
      values.push(`(${[o.id, o.customerId, o.createdAt, o.updatedAt, o.total, o.status, 'imported from ERP'].map(lit).join(', ')})`);
    }
    await s.exec(`INSERT INTO ${s.q('legacy_schema', 'orders')} VALUES ${values.join(', ')}`);
  }
  return `tables:
  orders:
    legacy: ${s.ref('legacy_schema', 'orders')}
    target: ${s.ref('dlt_schema', 'orders')}
    view: ${s.ref('dw', 'all_orders')}
    key: id
    cursor: created_at
    updated_at: updated_at
    columns:
      total: { from: order_total, type: "decimal(12,2)" }
`;
}
