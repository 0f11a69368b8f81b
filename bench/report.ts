import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './measure';
import type { BenchSettings, EngineName } from './settings';

/**
 * The figures of one engine's run: printed as they come, written to
 * bench/results/<date>-<engine>.json, and summed up in one table at the end.
 * A missed target is a finding, not an error: it is marked, and the run goes on.
 */
export interface Target {
  op: '<=' | '<';
  limit: number;
}

export interface Figure {
  label: string;
  value: number | null;
  unit: string;
  target?: Target;
  pass?: boolean;
  /** Why a figure has no value (a skipped step), or what it was measured on. */
  note?: string;
}

const meets = (value: number, t: Target) => (t.op === '<=' ? value <= t.limit : value < t.limit);

function format(value: number | null, unit: string): string {
  if (value === null) return '—';
  const digits = ['rows', 'bytes', 'slices', 'statements'].includes(unit) ? 0 : unit === 'x' ? 2 : 3;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === 'x' ? `${text}x` : `${text} ${unit}`;
}

export class Report {
  readonly figures = new Map<string, Figure>();
  readonly machine: Record<string, string | number> = {};
  error?: string;

  constructor(
    readonly engine: EngineName,
    readonly settings: BenchSettings,
  ) {
    const cpus = os.cpus();
    Object.assign(this.machine, {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memory_gb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      // Other work on the machine skews every figure: the load average says how much there was.
      load_avg_1m_at_start: Number(os.loadavg()[0].toFixed(2)),
    });
  }

  add(key: string, label: string, value: number, unit: string, target?: Target): Figure {
    const figure: Figure = { label, value, unit, ...(target ? { target, pass: meets(value, target) } : {}) };
    this.figures.set(key, figure);
    const verdict = target ? `   (target ${target.op} ${target.limit}: ${figure.pass ? 'PASS' : 'MISS'})` : '';
    this.say(`${label.padEnd(34, '.')} ${format(value, unit)}${verdict}`);
    return figure;
  }

  skip(key: string, label: string, unit: string, reason: string, target?: Target): void {
    this.figures.set(key, { label, value: null, unit, ...(target ? { target } : {}), note: `skipped: ${reason}` });
    this.say(`${label.padEnd(34, '.')} skipped: ${reason}`);
  }

  note(key: string, text: string): void {
    const figure = this.figures.get(key);
    if (figure) figure.note = text;
  }

  say(line: string): void {
    process.stdout.write(`[${this.engine}] ${line}\n`);
  }

  /** Writes bench/results/<YYYY-MM-DD>-<engine>.json in the source tree (not dist/), so results can be compared over time. */
  write(): string {
    const dir = path.join(REPO_ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    const date = new Date().toISOString().slice(0, 10);
    const file = path.join(dir, `${date}-${this.engine}.json`);
    this.machine.load_avg_1m_at_end = Number(os.loadavg()[0].toFixed(2));
    const { engines: _all, postgresUrl: _url, mysqlUrl: _mysql, ...settings } = this.settings;
    const json = {
      engine: this.engine,
      measured_at: new Date().toISOString(),
      completed: this.error === undefined,
      ...(this.error !== undefined ? { error: this.error } : {}),
      settings,
      machine: this.machine,
      // Four decimals are well past the precision of any of these measurements.
      figures: Object.fromEntries([...this.figures].map(([k, f]) => [k, { ...f, value: f.value === null ? null : Number(f.value.toFixed(4)) }])),
    };
    fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(json, null, 2)}\n`);
    fs.renameSync(`${file}.tmp`, file); // a killed bench never leaves half a results file
    return file;
  }
}

/** One row per figure, one column per engine; targets marked PASS or MISS. */
export function summaryTable(reports: Report[]): string {
  const keys = [...new Set(reports.flatMap((r) => [...r.figures.keys()]))];
  const cell = (f: Figure | undefined) => {
    if (!f) return '';
    if (f.value === null) return f.note ?? 'skipped';
    return `${format(f.value, f.unit)}${f.target ? (f.pass ? ' PASS' : ' MISS') : ''}`;
  };
  const rows = keys.map((k) => {
    const first = reports.map((r) => r.figures.get(k)).find(Boolean)!;
    const target = first.target ? `${first.target.op} ${first.target.limit}` : '';
    return [first.label, target, ...reports.map((r) => cell(r.figures.get(k)))];
  });
  const header = ['figure', 'target', ...reports.map((r) => r.engine + (r.error !== undefined ? ' (ERROR)' : ''))];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
