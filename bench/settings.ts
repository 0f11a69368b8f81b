/**
 * What a benchmark run measures, from the environment, so one command serves
 * a quick check (BENCH_ROWS=200000) and the full-size run (the defaults).
 */
export type EngineName = 'postgres' | 'duckdb' | 'mysql';
const KNOWN: EngineName[] = ['postgres', 'mysql', 'duckdb'];

export interface BenchSettings {
  engines: EngineName[];
  rows: number;
  months: number;
  /** The dry run at scale: this many tables of this many months each. */
  dryTables: number;
  dryMonths: number;
  /** The server to create the bench databases on (its own database is only used to create and drop them). */
  postgresUrl: string;
  /** The MySQL/MariaDB server; there a schema is a database, so the bench's schemas are server-wide and dropped after. */
  mysqlUrl: string;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function readSettings(): BenchSettings {
  const engines = (process.env.BENCH_ENGINES ?? KNOWN.join(','))
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .map((e) => (e === 'postgresql' ? 'postgres' : e === 'mariadb' ? 'mysql' : e))
    .filter(Boolean);
  const unknown = engines.filter((e) => !KNOWN.includes(e as EngineName));
  if (unknown.length) throw new Error(`BENCH_ENGINES names unknown engines: ${unknown.join(', ')} (known: ${KNOWN.join(', ')})`);
  return {
    engines: [...new Set(engines)] as EngineName[],
    rows: positiveInt('BENCH_ROWS', 5_000_000),
    months: positiveInt('BENCH_MONTHS', 60),
    dryTables: positiveInt('BENCH_DRY_TABLES', 50),
    dryMonths: positiveInt('BENCH_DRY_MONTHS', 120),
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/postgres',
    mysqlUrl: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
  };
}

/** The k-th month (0-based) after 2021-01 as YYYY-MM, the form --from/--to take. */
export function monthKey(k: number, startYear = 2021): string {
  return `${startYear + Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;
}
