import YAML from 'yaml';
import { yamlSchemaLine } from '../config/jsonSchema';
import { count } from '../plural';
import type { ColumnSource, DeclaredKey } from './analyze';
import type { TimeProfile } from './profile';

/** What init found, ready to be written as a commented migrate.yaml. */
export interface InitFindings {
  toolVersion: string;
  dialect: string;
  /** As it goes into the file (a relative DuckDB path is relative to the file; a password is a ${VAR}). */
  connection: string | Record<string, string | number>;
  stateSchema?: string;
  id: string;
  legacy: string;
  target: string;
  view: string;
  key: { columns: string[]; why: string } | undefined;
  /** Declared keys and tested candidates init did not choose, for the reader. */
  otherKeys: string[];
  legacyRows: number;
  /** Cursor candidates, best first; the first is written. */
  cursors: TimeProfile[];
  /** Time columns left out as cursors because legacy holds no value in them. */
  allNullTimes: string[];
  updatedAt?: string;
  /** Why legacy_timezone matters here (naive legacy times), if it does. */
  zoneNote?: string;
  columns: ColumnSource[];
  /** What stitch would warn about or refuse, in its words. */
  stitchSays: string[];
}

/** A name or value as a YAML scalar: plain where it can be, quoted where YAML would read it otherwise. */
const scalar = (v: string) => {
  const plain = YAML.stringify(v, { lineWidth: 0 }).trimEnd();
  // A name with a line break would become a block scalar, whose indentation the line it is put on cannot give:
  // a JSON string is a YAML double-quoted scalar on one line.
  return plain.includes('\n') ? JSON.stringify(v) : plain;
};
/** Text in a comment line: control characters (a line break in a column's name) shown escaped, never acted on. */
const commentSafe = (line: string) => line.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const list = (names: string[]) => (names.length === 1 ? scalar(names[0]) : `[${names.map(scalar).join(', ')}]`);
const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));

export function renderInitConfig(f: InitFindings): string {
  const out: string[] = [
    yamlSchemaLine(f.toolVersion),
    commentSafe(`# Written by migrate init ${f.toolVersion}: ${f.legacy} → ${f.target} on ${f.dialect}. Every choice below says why;`),
    '# read it through, then: migrate validate --connect, and migrate stitch --dry-run to see the SQL.',
    `dialect: ${scalar(f.dialect)}`,
    typeof f.connection === 'string' ? `connection: ${scalar(f.connection)}` : `connection:\n${YAML.stringify(f.connection).trimEnd().replace(/^/gm, '  ')}`,
    ...(f.stateSchema ? [`state_schema: ${scalar(f.stateSchema)}`] : []),
    'tables:',
    `  ${scalar(f.id)}:`,
    `    legacy: ${scalar(f.legacy)}`,
    `    target: ${scalar(f.target)}`,
    `    view: ${scalar(f.view)}             # what users read: legacy and target stitched, then the target alone`,
  ];
  const t = (line: string) => out.push(`    ${line.startsWith('#') ? commentSafe(line) : line}`);

  if (f.key) {
    t(`# key: ${f.key.why}.`);
    if (f.otherKeys.length) t(`#   also possible: ${f.otherKeys.join('; ')}`);
    t(`key: ${list(f.key.columns)}`);
  } else {
    t('# key: NOTHING FOUND: no dlt primary_key hint, no PRIMARY KEY/UNIQUE on either table, and no id-like column');
    t('#   is unique and never NULL in legacy. Name the business key (a list for a composite key) before running anything.');
    if (f.otherKeys.length) t(`#   tried: ${f.otherKeys.join('; ')}`);
    t('key: CHOOSE_THE_KEY');
  }

  if (f.cursors.length) {
    t(`# cursor: the time column whose months make the backfill's windows. Candidates, best first (legacy holds ${count(f.legacyRows, 'row')}):`);
    const width = Math.max(...f.cursors.map((c) => c.target.length)) + 2;
    for (const c of f.cursors) t(`#   ${pad(c.target, width)}${count(c.nulls, 'NULL')}${c.min ? `, ${c.min} … ${c.max}` : ', no values'}`);
    if (f.cursors[0].nulls > 0) t(`#   ${count(f.cursors[0].nulls, 'row')} with a NULL cursor: backfill them with backfill --all --include-null-cursor`);
    t(`cursor: ${scalar(f.cursors[0].target)}`);
  } else {
    t(
      f.allNullTimes.length
        ? `# cursor: none: ${f.allNullTimes.join(', ')} ${f.allNullTimes.length === 1 ? 'is' : 'are'} NULL in every legacy row, so the table is backfilled in chunks of its key (backfill.slice: key).`
        : '# cursor: no fed column of a date or time type, so the table is backfilled in chunks of its key (backfill.slice: key).',
    );
    t('#   An integer epoch column can be the cursor: cursor: <column> with cursor_unit: s | ms | us.');
  }
  if (f.updatedAt) {
    t('# updated_at: guessed from its name. A target row is then only overwritten by a legacy row at least as new,');
    t('#   so a row live dlt ingest changed during the backfill is never rolled back. Remove it if it is not that.');
    t(`updated_at: ${scalar(f.updatedAt)}`);
  }
  if (f.zoneNote) {
    t(`# legacy_timezone: ${f.zoneNote}`);
    t('# legacy_timezone: UTC');
  }

  t('# Target columns and where their values come from (a rule that is wrong, or a column with no source, is');
  t('# fixed under columns:, e.g. channel: { from: SalesChannel }, or { expr: ..., type: ... }):');
  const width = Math.max(...f.columns.map((c) => c.target.length)) + 2;
  const fromWidth = Math.max(8, ...f.columns.map((c) => (c.from ?? '').length)) + 2;
  for (const c of f.columns) t(`#   ${pad(c.target, width)}← ${pad(c.from ?? '—', fromWidth)}${c.rule}`);
  const overrides = f.columns.filter((c) => c.maybe);
  if (overrides.length) {
    t('# Override needed? Columns with no source whose legacy namesake the rules did not match:');
    t('# columns:');
    for (const c of overrides) t(`#   ${scalar(c.target)}: { from: ${scalar(c.maybe!)} }`);
  }
  if (f.stitchSays.length) {
    t('# What migrate stitch says about these tables now:');
    for (const s of f.stitchSays) for (const [i, line] of s.split('\n').entries()) t(`#   ${i === 0 ? '' : '  '}${line}`);
  }
  return `${out.join('\n')}\n`;
}
