import type { Sandbox } from './engines';

/**
 * A legacy `payments` table typed the way ERPs type it (numeric(12,2) amount,
 * naive timestamp) and the table dlt loads it into, typed the way dlt types
 * it (double, timestamptz): equal values in different types, which verify
 * must see as equal. 50 payments a month through 2023, at whole seconds.
 */
const TYPES = {
  duckdb: { big: 'BIGINT', ts: 'TIMESTAMP', tsz: 'TIMESTAMPTZ', dec: 'DECIMAL(12,2)', dbl: 'DOUBLE', str: 'VARCHAR' },
  postgres: { big: 'bigint', ts: 'timestamp', tsz: 'timestamptz', dec: 'numeric(12,2)', dbl: 'double precision', str: 'varchar(64)' },
  mysql: { big: 'BIGINT', ts: 'DATETIME(6)', tsz: 'TIMESTAMP(6)', dec: 'DECIMAL(12,2)', dbl: 'DOUBLE', str: 'VARCHAR(64)' },
} as const;

export const PAYMENTS_PER_MONTH = 50;
export const PAYMENT_MONTHS = 12;

export interface Payment {
  id: number;
  paidAt: string;
  amount: string;
  note: string;
}

/** Payment i (1-based): month (i-1) / 50 of 2023, mid-month days, amounts with cents. */
export function payment(i: number): Payment {
  const month = Math.floor((i - 1) / PAYMENTS_PER_MONTH);
  const day = 2 + ((i * 7) % 25);
  const seconds = (i * 3607) % 86400;
  const at = new Date(Date.UTC(2023, month, day) + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
  return { id: i, paidAt: at, amount: (((i * 7919) % 100000) / 100).toFixed(2), note: i % 4 === 0 ? '' : `invoice ${i}` };
}

/** The first payment id of a 2023 month (1-based month). */
export const firstPaymentOf = (month: number) => (month - 1) * PAYMENTS_PER_MONTH + 1;

export interface PaymentsOptions {
  /** The target's amount column type (default: double, as dlt types it). */
  targetAmountType?: string;
}

/** Creates legacy_schema.payments (600 rows) and an empty dlt_schema.payments; returns the tables: part of a config. */
export async function loadPayments(s: Sandbox, options: PaymentsOptions = {}): Promise<string> {
  const t = TYPES[s.engine];
  await s.createSchema('legacy_schema');
  await s.createSchema('dlt_schema');
  await s.exec(`CREATE TABLE ${s.q('legacy_schema', 'payments')} (payment_id ${t.big} PRIMARY KEY, paid_at ${t.ts}, amount ${t.dec}, note ${t.str})`);
  // A primary key only where the engine's upsert needs one (MySQL/MariaDB), so a duplicated key can be planted elsewhere.
  const pk = s.dialect.capabilities.upsert === 'merge' ? '' : ' PRIMARY KEY';
  await s.exec(`CREATE TABLE ${s.q('dlt_schema', 'payments')} (
    payment_id ${t.big} NOT NULL${pk}, paid_at ${t.tsz}, amount ${options.targetAmountType ?? t.dbl}, note ${t.str},
    _dlt_load_id ${t.str} NOT NULL, _dlt_id ${t.str} NOT NULL)`);
  const values: string[] = [];
  for (let i = 1; i <= PAYMENTS_PER_MONTH * PAYMENT_MONTHS; i++) {
    const p = payment(i);
    values.push(`(${p.id}, ${s.dialect.stringLiteral(p.paidAt)}, ${p.amount}, ${s.dialect.stringLiteral(p.note)})`);
  }
  await s.exec(`INSERT INTO ${s.q('legacy_schema', 'payments')} VALUES ${values.join(', ')}`);
  return `tables:
  payments:
    legacy: ${s.ref('legacy_schema', 'payments')}
    target: ${s.ref('dlt_schema', 'payments')}
    view: ${s.ref('dw', 'all_payments')}
    key: payment_id
    cursor: paid_at
    verify:
      sums: [amount]
      tolerance: 0
`;
}
