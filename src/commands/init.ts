import * as fs from 'node:fs';
import * as path from 'node:path';
import { narrowingProbe } from '../align/narrowingCheck';
import { timeKind } from '../align/timeConversion';
import { isConnectionUrl } from '../config/connectionUrl';
import { didYouMean } from '../config/didYouMean';
import { type ConfigDocument, validateConfig } from '../config/load';
import { parseTableRef, formatTableRef } from '../config/tableRef';
import { refuseDltConflicts } from '../dlt/conflicts';
import { asTheseusError, usageError } from '../errors';
import { analyzeTables } from '../init/analyze';
import { type TimeProfile, profileTimes, uniqueColumns } from '../init/profile';
import { renderInitConfig, type InitFindings } from '../init/render';
import { toolVersion } from '../packageRoot';
import { KNOWN_DIALECTS, canonicalDialect } from '../../dialects/names';
import { Session } from './session';
import { checkWritable, writeOutput } from './outputFile';

export interface InitOptions {
  dialect: string;
  /** As the operator typed it: a DuckDB path (relative to the working directory), a URL, or `${VAR}`. */
  connection: string;
  legacy: string;
  target: string;
  view: string;
  /** The id under tables: (default: the target's table name). */
  table?: string;
  /** state_schema: where the ledger lives (default: left out, so _migrate). */
  stateSchema?: string;
  /** The file to write (default ./migrate.yaml). */
  out?: string;
  /** Replace an existing file. */
  force?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/** The variable a password in a --connection URL is replaced by: init never writes a secret into the config. */
export const PASSWORD_VARIABLE = 'MIGRATE_DB_PASSWORD';

/**
 * migrate init: introspects legacy and target (read-only, no lock) and writes a commented migrate.yaml: the key a
 * declaration names (or the id-like column legacy's data shows unique), the cursor candidates ranked by their NULLs
 * with their ranges, an updated_at guessed by name, each target column's source with the rule that matched, and
 * what stitch would say. Never replaces a file without --force. Returns the file's path and text.
 */
export async function runInit(options: InitOptions): Promise<{ file: string; text: string }> {
  const env = options.env ?? process.env;
  const file = path.resolve(options.out ?? 'migrate.yaml');
  if (fs.existsSync(file) && !options.force) {
    throw fileExists(file);
  }
  checkWritable(file, '--out');
  const dialect = canonicalDialect(options.dialect);
  if (!dialect) throw usageError('UNKNOWN_DIALECT', `--dialect "${options.dialect}" is not supported${didYouMean(options.dialect, KNOWN_DIALECTS)}`, `use one of: ${KNOWN_DIALECTS.join(', ')}`);
  const refs = { legacy: parseTableRef(options.legacy, '--legacy'), target: parseTableRef(options.target, '--target'), view: parseTableRef(options.view, '--view') };
  const id = options.table ?? refs.target.name;
  const document = (key: string | string[], more: Record<string, unknown> = {}): ConfigDocument => ({
    dialect,
    connection: options.connection,
    ...(options.stateSchema ? { state_schema: options.stateSchema } : {}),
    tables: { [id]: { legacy: options.legacy, target: options.target, view: options.view, key, ...more } },
  });

  // A read-only session on a first draft: the key is not known yet, and nothing reads it before it is.
  const session = await Session.open('init', { config: document('?'), dryRun: true, env }, { readOnly: true });
  try {
    const table = session.tables[0];
    const legacy = await session.introspect(refs.legacy, 'legacy', table);
    const target = await session.introspect(refs.target, 'target', table);
    const dlt = await session.reads.dltDataset(table, target.ref);
    const shape = analyzeTables(id, legacy, target, session.dialect, dlt.hints);
    const { rows, times } = await profileTimes(session.conn, session.dialect, legacy.ref, shape.timeColumns);
    // Mostly-NULL columns last (their rows would wait for --include-null-cursor), then creation times before other
    // times before last-change stamps, then fewer NULLs; a column that is NULL in every row is never the cursor.
    const mostlyNull = (t: TimeProfile) => (t.nulls * 2 > rows ? 1 : 0);
    const ranked = [...times].sort((a, b) => mostlyNull(a) - mostlyNull(b) || cursorRank(a, shape.updatedAt) - cursorRank(b, shape.updatedAt) || a.nulls - b.nulls);
    const cursors = rows > 0 && ranked.length && ranked[0].nulls === rows ? [] : ranked;
    const allNull = cursors.length ? [] : ranked.map((t) => t.target);

    const declared = shape.declaredKeys[0];
    const unique = declared ? [] : await uniqueColumns(session.conn, session.dialect, legacy.ref, shape.keyCandidates);
    const key = declared ?? (unique.length ? { columns: [unique[0]], why: `${unique[0]} is unique and never NULL in legacy's ${rows} rows (no constraint says so)` } : undefined);
    const otherKeys = declared
      ? shape.declaredKeys.slice(1).map((k) => `${k.columns.join(', ')} (${k.why})`)
      : shape.keyCandidates.filter((c) => c.target !== key?.columns[0]).map((c) => `${c.target} (${unique.includes(c.target) ? 'unique too' : 'not unique, or NULL somewhere'})`);

    const more: Record<string, unknown> = {};
    if (cursors.length) more.cursor = cursors[0].target;
    if (shape.updatedAt && shape.updatedAt !== more.cursor) more.updated_at = shape.updatedAt;
    const findings: InitFindings = {
      toolVersion: toolVersion(),
      dialect,
      connection: connectionForFile(options.connection, dialect, file, options.log),
      stateSchema: options.stateSchema,
      id,
      legacy: formatTableRef(refs.legacy),
      target: formatTableRef(refs.target),
      view: formatTableRef(refs.view),
      key,
      otherKeys,
      legacyRows: rows,
      cursors,
      allNullTimes: allNull,
      updatedAt: more.updated_at as string | undefined,
      zoneNote: zoneNote(shape, legacy.columns, session),
      columns: shape.columns,
      stitchSays: key ? await stitchSays(session, document(key.columns, more)) : [],
    };
    const text = renderInitConfig(findings);
    // 'wx': a file that appeared while init read the warehouse is not replaced either.
    try {
      fs.writeFileSync(file, text, { flag: options.force ? 'w' : 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw fileExists(file);
      writeOutput(file, text, '--out');
    }
    return { file, text };
  } finally {
    await session.close();
  }
}

const fileExists = (file: string) => usageError('INIT_FILE_EXISTS', `${file} exists; migrate init does not replace it`, 'pass --out FILE for another file, or --force to replace it');

/** Creation times first (they never change), then other times, then last-change stamps (they move between windows). */
function cursorRank(c: { target: string }, updatedAt: string | undefined): number {
  if (c.target === updatedAt) return 2;
  return /(created|inserted|ordered|order_date|event|occurred|booked|placed)/i.test(c.target) ? 0 : 1;
}

/** The naive legacy time columns legacy_timezone reads, named, or undefined where there are none. */
function zoneNote(shape: ReturnType<typeof analyzeTables>, legacyColumns: Array<{ name: string; type: string }>, session: Session): string | undefined {
  const naive = shape.columns.filter((c) => {
    const source = legacyColumns.find((l) => l.name === c.from);
    return source !== undefined && timeKind(session.dialect, source.type) === 'naive';
  });
  if (!naive.length) return undefined;
  return `legacy's ${naive.map((c) => c.from).join(', ')} hold wall times with no zone; they are read as UTC unless you name legacy's zone here (an IANA name, e.g. Europe/Berlin).`;
}

/** What stitch would warn about or refuse for the drafted table: the same checks, run read-only now. */
async function stitchSays(session: Session, draft: ConfigDocument): Promise<string[]> {
  const says: string[] = [];
  const table = validateConfig(draft, session.config.file, {}, { connectionOptional: true }).tables[0];
  try {
    const ctx = await session.context(table, { quiet: true });
    if (ctx.alignment.unusedLegacy.length) says.push(`warning: legacy columns that feed no target column: ${ctx.alignment.unusedLegacy.join(', ')}`);
    for (const w of refuseDltConflicts(ctx, {})) says.push(`warning: ${w}`);
    const probe = narrowingProbe(ctx);
    if (probe) await probe(session.conn);
  } catch (err) {
    const e = asTheseusError(err);
    says.push(`refused [${e.code}]: ${e.message}${e.hint ? `\nhint: ${e.hint}` : ''}`);
  }
  return says;
}

/**
 * The connection as the file should hold it: a relative DuckDB path made relative to the file (the config reads it
 * from there), and a server URL holding a password written as driver settings whose password is
 * ${MIGRATE_DB_PASSWORD}, so no secret lands in a file that gets committed. (Settings, not the URL: a variable
 * inside a URL must hold the password URL-encoded, and one holding '@' or '/' would change the host.)
 */
function connectionForFile(connection: string, dialect: string, file: string, log?: (line: string) => void): string | Record<string, string | number> {
  if (dialect === 'duckdb' && !isConnectionUrl(connection) && connection !== ':memory:' && !connection.includes('${')) {
    const absolute = path.resolve(connection);
    const relative = path.relative(path.dirname(file), absolute);
    return relative.startsWith('..') ? absolute : `./${relative}`;
  }
  if (!isConnectionUrl(connection)) return connection;
  let url: URL;
  try {
    url = new URL(connection);
  } catch {
    return connection;
  }
  if (!url.password) return connection;
  log?.(`the password in --connection is not written to the file: it reads \${${PASSWORD_VARIABLE}} (export ${PASSWORD_VARIABLE}=… before running migrate)`);
  if (dialect === 'postgres' || dialect === 'mysql') {
    return {
      host: decodeURIComponent(url.hostname),
      ...(url.port ? { port: Number(url.port) } : {}),
      ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
      password: `\${${PASSWORD_VARIABLE}}`,
      ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
      ...Object.fromEntries(url.searchParams),
    };
  }
  // Warehouses whose URLs carry more than a server's settings keep the URL form; the variable then holds the
  // password URL-encoded, as the URL did.
  url.password = 'PASSWORD';
  log?.(`${PASSWORD_VARIABLE} goes into a URL: export it URL-encoded (as it was in --connection)`);
  return url.toString().replace(':PASSWORD@', `:\${${PASSWORD_VARIABLE}}@`);
}
