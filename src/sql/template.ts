import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../packageRoot';

/**
 * SQL shapes live in templates/<dialect>/<op>.sql, falling back to
 * templates/_default/<op>.sql (dbt's adapter dispatch, in files).
 *
 * The syntax is deliberately tiny:
 *   {{name}}               the value, which the planner has already quoted or rendered
 *   {{#name}} … {{/name}}  kept when name is truthy
 *   {{^name}} … {{/name}}  kept when name is falsy
 * Lines starting with `--` are template comments and are dropped. A template
 * may hold several statements, each ending with `;` at the end of a line; the
 * split happens before substitution, so a value can never create a statement.
 */
export type TemplateValues = Record<string, string | boolean | undefined>;

const cache = new Map<string, string>();

/** Template folders, most specific first (a dialect's own, then the one it builds on); _default is appended. */
export type TemplateDirs = readonly string[];

function templateSource(dirs: TemplateDirs, op: string): string {
  const key = `${dirs.join('>')}/${op}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const root = path.join(packageRoot(), 'templates');
  const file = [...dirs, '_default'].map((dir) => path.join(root, dir, `${op}.sql`)).find((f) => fs.existsSync(f));
  if (!file) throw new Error(`no SQL template "${op}" in templates/{${[...dirs, '_default'].join(',')}}`);
  const text = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  cache.set(key, text);
  return text;
}

/** A template statement parsed once: text, values to fill, and sections kept or dropped by a value. */
type Part = string | { fill: string } | { section: string; keepWhen: boolean; body: Part[] };

const parsed = new Map<string, Part[][]>();

function parsedStatements(dirs: TemplateDirs, op: string): Part[][] {
  const key = `${dirs.join('>')}/${op}`;
  let statements = parsed.get(key);
  if (!statements) {
    statements = splitStatements(templateSource(dirs, op)).map((text) => parse(text, op));
    parsed.set(key, statements);
  }
  return statements;
}

/** Renders a template into one or more statements (without trailing semicolons). */
export function renderTemplate(dirs: TemplateDirs, op: string, values: TemplateValues): string[] {
  return parsedStatements(dirs, op).map((parts) => tidy(fill(parts, values, op)));
}

/** Renders a template that must hold exactly one statement. */
export function renderStatement(dirs: TemplateDirs, op: string, values: TemplateValues): string {
  const statements = parsedStatements(dirs, op);
  if (statements.length !== 1) throw new Error(`template "${op}" holds ${statements.length} statements, expected 1`);
  return tidy(fill(statements[0], values, op));
}

function splitStatements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Parses a statement's tags once, so rendering it (a dry run renders each slice template thousands of times) is a
 * walk over its parts. A section closes at its own name's closing tag; sections may nest.
 */
function parse(text: string, op: string): Part[] {
  const root: Part[] = [];
  const open: Array<{ name: string; parts: Part[] }> = [{ name: '', parts: root }];
  const tag = /\{\{([#^/]?)(\w+)\}\}/g;
  let at = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const here = open[open.length - 1].parts;
    if (m.index > at) here.push(text.slice(at, m.index));
    at = m.index + m[0].length;
    const [, mode, name] = m;
    if (mode === '') here.push({ fill: name });
    else if (mode === '/') {
      if (open.length === 1 || open[open.length - 1].name !== name) throw new Error(`template "${op}": {{/${name}}} closes no open section`);
      open.pop();
    } else {
      const section = { section: name, keepWhen: mode === '#', body: [] as Part[] };
      here.push(section);
      open.push({ name, parts: section.body });
    }
  }
  if (open.length > 1) throw new Error(`template "${op}": section {{${open[open.length - 1].name}}} is never closed`);
  if (at < text.length) root.push(text.slice(at));
  return root;
}

function fill(parts: Part[], values: TemplateValues, op: string): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else if ('fill' in part) {
      const value = values[part.fill];
      if (typeof value !== 'string') throw new Error(`template "${op}" needs a value for {{${part.fill}}}`);
      out += value;
    } else if (Boolean(values[part.section]) === part.keepWhen) out += fill(part.body, values, op);
  }
  return out;
}

/** Drops lines a false section left empty, so printed SQL stays tidy. */
function tidy(sql: string): string {
  return sql.includes('\n')
    ? sql
        .split('\n')
        .filter((line) => line.trim() !== '')
        .join('\n')
    : sql;
}
