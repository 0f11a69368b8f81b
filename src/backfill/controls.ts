import { wholeNumber } from '../config/wholeNumber';
import { usageError } from '../errors';

/**
 * How a backfill runs, as opposed to what it loads: the knobs that keep a
 * production source safe (throttle, pause, limits) and the run's shape
 * (slice size, order, parallelism). Each one can be set under `backfill:` in
 * the config and overridden by the flag of the same name.
 */
export type SliceUnit = 'month' | 'week' | 'day';
export type OnError = 'continue' | 'stop';

export interface LoadThreshold {
  /** As the operator wrote it, e.g. `active=20`: echoed in messages. */
  text: string;
  /** The load signal's name (`active` where only a number was written). */
  name: string;
  value: number;
}

export interface BackfillControls {
  /** Windows by a period of the cursor, or by chunks of the key (keyChunks.ts). */
  slice: SliceUnit | 'key';
  /** slice: key: about how many legacy rows each chunk holds. */
  chunkRows: number;
  newestFirst: boolean;
  /** Run at most this many slices, then stop cleanly (undefined: no limit). */
  limit?: number;
  /** Run windows again even when the ledger has them as done. */
  rerun: boolean;
  maxParallel: number;
  /** Milliseconds between two slice starts. */
  minIntervalMs: number;
  maxLoad?: LoadThreshold;
  criticalLoad?: LoadThreshold;
  /** How often a throttled or paused run looks again. */
  recheckMs: number;
  pauseFile?: string;
  onError: OnError;
  /** Attempts after the first, for transient errors only. */
  retries: number;
  /** First retry delay; doubles with each attempt. */
  retryDelayMs: number;
  /** Check each window right after merging it and mark it validated (cutover needs every window validated; without it, run migrate verify). */
  validate: boolean;
  /** Where the engine bills bytes read (BigQuery): the most one slice's upsert may bill; unset, 1.2 times its dry run. */
  maxBytesBilled?: number;
  /** Each slice keeps the rows it replaces and the keys it inserts, so `migrate undo` can take a run back (plan/preimages.ts). */
  keepPreimages: boolean;
}

export const DEFAULT_CONTROLS: Readonly<BackfillControls> = Object.freeze({
  slice: 'month',
  chunkRows: 100_000,
  newestFirst: false,
  rerun: false,
  maxParallel: 1,
  minIntervalMs: 0,
  recheckMs: 2000,
  onError: 'stop',
  retries: 3,
  retryDelayMs: 1000,
  validate: true,
  keepPreimages: true,
});

/** The config's `backfill:` keys (snake_case) and the flags (kebab-case) name the same controls. */
export const CONTROL_KEYS = [
  'slice',
  'chunk_rows',
  'newest_first',
  'limit',
  'rerun',
  'max_parallel',
  'min_interval',
  'max_load',
  'critical_load',
  'recheck_every',
  'pause_file',
  'on_error',
  'retries',
  'retry_delay',
  'validate',
  'max_bytes_billed',
  'keep_preimages',
] as const;
export type ControlKey = (typeof CONTROL_KEYS)[number];
export type RawControls = Partial<Record<ControlKey, unknown>>;

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

const BYTES = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
/** BigQuery bills at least 10 MiB for each table a query reads: a cap below that fails every slice. */
const MIN_BYTES_BILLED = 10 * 2 ** 20;

/**
 * `backfill.max_bytes_billed`: a number of bytes, or one with a unit (`50 GiB`, `2TB`), at least 10 MiB; only on an
 * engine that bills bytes read (Capabilities.bytesBilledCap).
 */
export function parseBytesBilled(value: unknown, where: string, engine: { name: string; billsBytes?: boolean }): number {
  if (!engine.billsBytes) throw usageError('BAD_CONTROL', `${where}: ${engine.name} does not bill queries by the bytes they read`, `${where} caps what a slice may cost on BigQuery; remove it for ${engine.name}`);
  const m = BYTES.exec(String(value).trim());
  const bytes = m ? Math.floor(Number(m[1]) * UNIT_BYTES[(m[2] ?? 'b').toLowerCase()]) : NaN;
  if (!Number.isSafeInteger(bytes)) throw usageError('BAD_CONTROL', `${where} ${String(value)} is not a number of bytes`, 'write it like 50 GiB, 2TB or 1073741824');
  if (bytes < MIN_BYTES_BILLED) throw usageError('BAD_CONTROL', `${where} ${String(value)} is under 10 MiB, the least BigQuery bills for a table a query reads: every slice would be refused`, 'e.g. 50 GiB');
  return bytes;
}

/** `5s`, `500ms`, `2m`, `1h`, or a bare number of seconds. */
export function parseDuration(value: unknown, where: string): number {
  if (/^\s*-/.test(String(value))) throw usageError('BAD_CONTROL', `${where} ${String(value)}: a duration cannot be negative`, 'write it like 5s, 500ms, 2m or 1h (0 for none)');
  const m = DURATION.exec(String(value).trim());
  if (!m) throw usageError('BAD_CONTROL', `${where} ${String(value)} is not a duration`, 'write it like 5s, 500ms, 2m or 1h');
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? 's']);
}

/** `active=20` (or the engine's own signal name, e.g. `threads_running=20`), or a bare number. */
export function parseLoad(value: unknown, where: string): LoadThreshold {
  const text = String(value).trim();
  const m = /^(?:([A-Za-z_]+)\s*=\s*)?(\d+)$/.exec(text);
  if (!m) throw usageError('BAD_CONTROL', `${where} ${text} is not a load threshold`, 'write it like active=20');
  const name = m[1] ? m[1].toLowerCase() : 'active';
  return { text: `${name}=${m[2]}`, name, value: Number(m[2]) };
}

function positiveInt(value: unknown, where: string, min: number): number {
  const n = wholeNumber(value);
  if (n === undefined || n < min) throw usageError('BAD_CONTROL', `${where} ${String(value)} must be a whole number ≥ ${min}`, `e.g. ${where} ${Math.max(min, 1) + 2}`);
  return n;
}

function bool(value: unknown, where: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw usageError('BAD_CONTROL', `${where} ${String(value)} must be true or false`);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  const text = String(value).trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(text)) throw usageError('BAD_CONTROL', `${where} ${String(value)} must be one of ${allowed.join(', ')}`);
  return text as T;
}

/** The load signal's name must be one the engine reads (see Dialect.loadSignal). */
function checkSignalName(threshold: LoadThreshold | undefined, names: readonly string[] | undefined, where: string, engine: string): void {
  if (!threshold) return;
  if (!names) throw usageError('BAD_CONTROL', `${where}: ${engine} has no load signal to throttle on`, `${where} works on PostgreSQL, MySQL/MariaDB and Snowflake`);
  if (!names.includes(threshold.name)) throw usageError('BAD_CONTROL', `${where} ${threshold.text}: ${engine} reads ${names.join(' or ')}`, `e.g. ${where} ${names[0]}=20`);
}

/**
 * Merges the config's `backfill:` section and the flags (flags win) over the
 * defaults, validating each value where it was written.
 */
export function resolveControls(
  fromConfig: RawControls,
  fromFlags: RawControls,
  engine: { name: string; loadSignalNames?: readonly string[]; billsBytes?: boolean },
): BackfillControls {
  const c: BackfillControls = { ...DEFAULT_CONTROLS };
  const sources: Array<[RawControls, (key: string) => string]> = [
    [fromConfig, (k) => `backfill.${k}`],
    [fromFlags, (k) => `--${k.replace(/_/g, '-')}`],
  ];
  for (const [raw, name] of sources) {
    for (const key of CONTROL_KEYS) {
      const v = raw[key];
      if (v === undefined || v === null) continue;
      const where = name(key);
      switch (key) {
        case 'slice': c.slice = oneOf(v, ['month', 'week', 'day', 'key'] as const, where); break;
        case 'chunk_rows': c.chunkRows = positiveInt(v, where, 1); break;
        case 'newest_first': c.newestFirst = bool(v, where); break;
        case 'limit': c.limit = positiveInt(v, where, 1); break;
        case 'rerun': c.rerun = bool(v, where); break;
        case 'max_parallel': c.maxParallel = positiveInt(v, where, 1); break;
        case 'min_interval': c.minIntervalMs = parseDuration(v, where); break;
        case 'max_load': c.maxLoad = parseLoad(v, where); break;
        case 'critical_load': c.criticalLoad = parseLoad(v, where); break;
        case 'recheck_every': c.recheckMs = Math.max(50, parseDuration(v, where)); break;
        case 'pause_file': c.pauseFile = String(v); break;
        case 'on_error': c.onError = oneOf(v, ['continue', 'stop'] as const, where); break;
        case 'retries': c.retries = positiveInt(v, where, 0); break;
        case 'retry_delay': c.retryDelayMs = parseDuration(v, where); break;
        case 'validate': c.validate = bool(v, where); break;
        case 'max_bytes_billed': c.maxBytesBilled = parseBytesBilled(v, where, engine); break;
        case 'keep_preimages': c.keepPreimages = bool(v, where); break;
      }
    }
  }
  checkSignalName(c.maxLoad, engine.loadSignalNames, '--max-load', engine.name);
  checkSignalName(c.criticalLoad, engine.loadSignalNames, '--critical-load', engine.name);
  // Thresholds on two different signals (queued=4 and running=40) do not bound each other.
  if (c.maxLoad && c.criticalLoad && c.criticalLoad.name === c.maxLoad.name && c.criticalLoad.value <= c.maxLoad.value) {
    throw usageError('BAD_CONTROL', `--critical-load ${c.criticalLoad.text} must be above --max-load ${c.maxLoad.text}`, 'the run waits above --max-load and stops above --critical-load');
  }
  return c;
}
