import type { TableRef } from '../config/types';
import type { Connection, Dialect, Row } from '../../dialects/types';

/**
 * The data questions `migrate init` asks of legacy, each one statement over the whole table (a full read, like the
 * profile backfill makes): how many rows, each time column's NULLs and range, and which key-like columns are
 * unique and never NULL. Every name reaches SQL through the dialect's quoting.
 */

export interface TimeProfile {
  target: string;
  nulls: number;
  min?: string;
  max?: string;
}

const shown = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : v instanceof Date ? v.toISOString() : String(v));
const num = (v: unknown) => Number(v ?? 0);

export async function profileTimes(conn: Connection, d: Dialect, legacy: TableRef, columns: Array<{ target: string; legacySql: string }>): Promise<{ rows: number; times: TimeProfile[] }> {
  const alias = (name: string) => d.quoteIdent(name);
  const parts = [`COUNT(*) AS ${alias('n')}`, ...columns.flatMap((c, i) => [`COUNT(${c.legacySql}) AS ${alias(`c${i}`)}`, `MIN(${c.legacySql}) AS ${alias(`lo${i}`)}`, `MAX(${c.legacySql}) AS ${alias(`hi${i}`)}`])];
  const [row] = await conn.query(`SELECT ${parts.join(', ')} FROM ${d.qualify(legacy)}`);
  const rows = num(row.n);
  return { rows, times: columns.map((c, i) => ({ target: c.target, nulls: rows - num(row[`c${i}`]), min: shown(row[`lo${i}`]), max: shown(row[`hi${i}`]) })) };
}

/** The candidates whose legacy values are unique and never NULL, in the order given. */
export async function uniqueColumns(conn: Connection, d: Dialect, legacy: TableRef, candidates: Array<{ target: string; legacySql: string }>): Promise<string[]> {
  if (candidates.length === 0) return [];
  const alias = (name: string) => d.quoteIdent(name);
  const parts = [`COUNT(*) AS ${alias('n')}`, ...candidates.flatMap((c, i) => [`COUNT(${c.legacySql}) AS ${alias(`c${i}`)}`, `COUNT(DISTINCT ${c.legacySql}) AS ${alias(`d${i}`)}`])];
  const [row]: Row[] = await conn.query(`SELECT ${parts.join(', ')} FROM ${d.qualify(legacy)}`);
  const rows = num(row.n);
  return candidates.filter((_, i) => num(row[`c${i}`]) === rows && num(row[`d${i}`]) === rows).map((c) => c.target);
}
