/** One statement of a printed plan (`--dry-run`): its unit's title, the intent comment above it, and the names it binds. */
export interface PrintedStatement {
  unit: string;
  intent: string;
  sql: string;
  binds: string[];
}

/**
 * Splits a dry run's output into its statements, in order: units start at `-- == title ==`, each statement ends
 * with `;` at the end of a line, and the comments above it give its intent and (`-- bound:`) what it binds.
 * Comment lines after a statement (a unit's failure path) are not statements.
 */
export function printedStatements(dryRun: string): PrintedStatement[] {
  const statements: PrintedStatement[] = [];
  let unit = '';
  let intent = '';
  let binds: string[] = [];
  let lines: string[] = [];
  for (const line of dryRun.split('\n')) {
    if (lines.length === 0 && (line.startsWith('--') || !line.trim())) {
      const title = /^-- == (.*) ==$/.exec(line);
      if (title) unit = title[1]!;
      else if (line.startsWith('-- bound: ')) binds = line.slice('-- bound: '.length).split(', ').map((b) => b.split(' = ')[1]!);
      else if (/^-- [A-Z]/.test(line) && !/^-- (If this unit|Statements in|Theseus )/.test(line)) (intent = line.slice(3), (binds = []));
      continue;
    }
    lines.push(line);
    if (line.trimEnd().endsWith(';')) {
      statements.push({ unit, intent, sql: lines.join('\n').trimEnd().replace(/;$/, ''), binds });
      lines = [];
      binds = [];
    }
  }
  return statements;
}

/**
 * A printed plan with every run of whitespace as one space: long statements are laid out over several lines
 * (src/sql/layout.ts), so a check of a statement's text reads it this way, whatever the layout.
 */
export function oneLine(printed: string): string {
  return printed.replace(/\s+/g, ' ');
}
