import { usageError } from '../errors';

/** How far a metric's target sum may be from legacy's and still pass: an absolute amount, or a percentage of legacy's. */
export type Tolerance = { kind: 'absolute'; amount: number } | { kind: 'percent'; percent: number };

/** A table's `verify:` section, validated. Column names are the target's. */
export interface VerifySettings {
  /** Columns whose per-window sums are reconciled (business metrics, e.g. amount). */
  sums: string[];
  tolerance: Tolerance;
  /** Columns left out of the row checksums (dlt's columns are always left out). */
  ignore: string[];
}

export const VERIFY_KEYS = ['sums', 'tolerance', 'ignore'] as const;

export const DEFAULT_VERIFY: VerifySettings = Object.freeze({ sums: [], tolerance: { kind: 'absolute', amount: 0 }, ignore: [] }) as VerifySettings;

/** `0.01` (absolute) or `"0.5%"` (of legacy's sum). */
export function parseTolerance(raw: unknown, where: string): Tolerance {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  const percent = /^(\d+(\.\d+)?)\s*%$/.exec(text);
  if (percent) return { kind: 'percent', percent: Number(percent[1]) };
  if (/^\d+(\.\d+)?$/.test(text)) return { kind: 'absolute', amount: Number(text) };
  throw usageError('CONFIG_INVALID', `${where} is ${JSON.stringify(raw)}: not an amount or a percentage`, 'e.g. tolerance: 0.01 (absolute) or tolerance: "0.5%"');
}

export function formatTolerance(t: Tolerance): string {
  return t.kind === 'percent' ? `${t.percent}%` : String(t.amount);
}
