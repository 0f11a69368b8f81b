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

/** Renders a template into one or more statements (without trailing semicolons). */
export function renderTemplate(dirs: TemplateDirs, op: string, values: TemplateValues): string[] {
  return splitStatements(templateSource(dirs, op)).map((statement) => substitute(statement, values, op));
}

/** Renders a template that must hold exactly one statement. */
export function renderStatement(dirs: TemplateDirs, op: string, values: TemplateValues): string {
  const statements = renderTemplate(dirs, op, values);
  if (statements.length !== 1) throw new Error(`template "${op}" holds ${statements.length} statements, expected 1`);
  return statements[0];
}

function splitStatements(text: string): string[] {
  return text
    .split(/;[ \t]*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function substitute(text: string, values: TemplateValues, op: string): string {
  // Resolve sections outermost first, again and again, so sections may nest.
  let sections = text;
  for (let previous = ''; previous !== sections; ) {
    previous = sections;
    sections = sections.replace(/\{\{([#^])(\w+)\}\}([\s\S]*?)\{\{\/\2\}\}/, (_m, mode: string, name: string, body: string) => {
      const on = Boolean(values[name]);
      return (mode === '#') === on ? body : '';
    });
  }
  const filled = sections.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
    const value = values[name];
    if (typeof value !== 'string') throw new Error(`template "${op}" needs a value for {{${name}}}`);
    return value;
  });
  // Drop lines a false section left empty, so printed SQL stays tidy.
  return filled
    .split('\n')
    .filter((line) => line.trim() !== '')
    .join('\n');
}
