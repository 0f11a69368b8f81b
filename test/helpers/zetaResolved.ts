import type { DryRunStatement } from './dryRunSplit';
import { bindKind } from '../../src/plan/types';

/**
 * What both analyzer harnesses (BigQuery's ZetaSQL, the Snowflake fork) share: reading ZetaSQL's resolved
 * statements, to keep an analyzer's catalog in step with what a dry run's statements create, rename and drop,
 * and how a dry run's statements are labelled, typed and reported.
 */

/** ZetaSQL's TypeProto, the part the catalogs use. */
export interface ZetaType {
  typeKind: number;
  arrayType?: { elementType: ZetaType };
}

export interface AnalyzerColumn {
  name: string;
  type: ZetaType;
}

/** What learnFrom needs of a catalog: tables by name path as a statement writes it. */
export interface TrackedCatalog {
  get(path: readonly string[]): { columns: AnalyzerColumn[] } | undefined;
  add(path: readonly string[], columns: AnalyzerColumn[]): void;
  remove(path: readonly string[]): void;
}

export const stripType = (t: any): ZetaType => ({ typeKind: t.typeKind, ...(t.arrayType ? { arrayType: { elementType: stripType(t.arrayType.elementType) } } : {}) });

/**
 * The shallowest value under `key` in a resolved AST, breadth first (the proto
 * nests create/alter nodes differently per kind; the statement's own name path
 * sits above those of the tables its query reads).
 */
export function find(node: unknown, key: string): any {
  let level: unknown[] = [node];
  while (level.length) {
    const next: unknown[] = [];
    for (const n of level) {
      if (n === null || typeof n !== 'object') continue;
      if (key in (n as object) && (n as any)[key] !== null && (n as any)[key] !== undefined) return (n as any)[key];
      next.push(...Object.values(n as object));
    }
    level = next;
  }
  return undefined;
}

/**
 * Applies a resolved statement to the catalog: a CREATE (of a table, view, clone or snapshot) adds its columns
 * (IF NOT EXISTS keeps a table already there), a RENAME moves the table, a DROP removes it. `renamed` says where a
 * renamed table lands: Snowflake moves a bare new name into the session's schema, BigQuery keeps the dataset.
 * True when the catalog changed (it must be registered again).
 */
export function learnFrom(resolved: any, catalog: TrackedCatalog, renamed: (from: string[], to: string[]) => string[], declared: (t: ZetaType) => ZetaType = (t) => t): boolean {
  const kind: string = resolved?.node ?? '';
  const path: string[] | undefined = find(resolved, 'namePath');
  if (!path) return false;
  if (kind === 'resolvedCreateStatementNode') {
    let columns: AnalyzerColumn[] | undefined;
    const out = find(resolved, 'outputColumnList');
    const defs = find(resolved, 'columnDefinitionList');
    const clone = find(resolved, 'cloneFrom');
    if (out?.length) columns = out.map((c: any) => ({ name: c.name, type: stripType(c.column.type) }));
    else if (defs?.length) columns = defs.map((c: any) => ({ name: c.name, type: declared(stripType(c.type)) }));
    else if (clone) columns = find(clone, 'columnList').map((c: any) => ({ name: c.name, type: stripType(c.type) }));
    if (!columns || (find(resolved, 'createMode') === 2 && catalog.get(path))) return false; // 2: IF NOT EXISTS keeps what is there
    catalog.add(path, columns);
    return true;
  }
  if (kind === 'resolvedAlterObjectStmtNode') {
    const newPath: string[] | undefined = find(resolved, 'newPath');
    const t = catalog.get(path);
    if (!newPath || !t) return false;
    catalog.remove(path);
    catalog.add(renamed(path, newPath), t.columns);
    return true;
  }
  if (kind === 'resolvedDropStmtNode') {
    catalog.remove(path);
    return true;
  }
  return false;
}

/** A dry run's statement as failures name it: its line, unit and intent. */
export const statementLabel = (s: DryRunStatement) => `line ${s.line}${s.unit ? `, ${s.unit}` : ''}${s.intent ? `: ${s.intent}` : ''}${s.onFailure ? ' (on failure)' : ''}`;

/**
 * Whether a bound value is a count, by the name the dry run prints in its `-- bound:` line: the plan's own rule
 * (plan/types.ts bindKind), which the drivers that type a NULL follow too. The analyzers cannot infer a bind's type
 * where it only feeds a column, so the dry run's names decide.
 */
export const isCountBind = (name: string) => bindKind(name) === 'integer';

/** The statements an analyzer rejected, each with its label and message. */
export class AnalysisError extends Error {
  constructor(
    readonly failures: Array<{ sql: string; label?: string; message: string }>,
    engine = 'Snowflake',
  ) {
    super(`${failures.length} statement(s) failed the ${engine} analyzer:\n` + failures.map((f) => `--- ${f.label ? `${f.label}: ` : ''}${f.message}\n${f.sql}`).join('\n'));
    this.name = 'AnalysisError';
  }
}
