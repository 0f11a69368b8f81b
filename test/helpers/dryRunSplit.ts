/**
 * Splits what `migrate … --dry-run` prints (src/plan/render.ts) back into its
 * statements. The format: `--` comment lines (the header, `-- == unit ==`
 * titles, each statement's intent, `-- expect:` and `-- bound:` lines), then
 * the statement, whose last line ends with `;`. A unit's "If this unit fails"
 * block prints its statements commented out, each SQL line as `--   …`; they
 * are returned too, marked onFailure, since they run when a unit fails.
 *
 * Templates never put a comment or an empty line inside a statement, and a
 * statement ends where a line ends with `;` (the template splitter's rule), so
 * a comment line inside a statement means the format changed: it throws.
 */
export interface DryRunStatement {
  /** Without its terminating `;`. */
  sql: string;
  /** The `-- == … ==` title of its unit. */
  unit?: string;
  /** The comment line just before it (its intent), if any. */
  intent?: string;
  /** Names from its `-- bound:` line, in placeholder order. */
  binds: string[];
  /** Printed commented out, in an "If this unit fails" block. */
  onFailure: boolean;
  /** 1-based line of its first line in the text. */
  line: number;
}

export function splitDryRun(text: string): DryRunStatement[] {
  const out: DryRunStatement[] = [];
  let unit: string | undefined;
  let intent: string | undefined;
  let binds: string[] = [];
  let failureBlock = false;
  let buffer: string[] = [];
  let start = 0;
  let bufferOnFailure = false;

  const take = (sqlLine: string, lineNo: number, onFailure: boolean) => {
    if (buffer.length === 0) {
      start = lineNo;
      bufferOnFailure = onFailure;
    }
    buffer.push(sqlLine);
    if (/;\s*$/.test(sqlLine)) {
      out.push({ sql: buffer.join('\n').replace(/;\s*$/, ''), unit, intent, binds, onFailure: bufferOnFailure, line: start });
      buffer = [];
      intent = undefined;
      binds = [];
    }
  };

  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    const lineNo = i + 1;
    if (failureBlock && line.startsWith('--   ')) return take(line.slice(5), lineNo, true);
    if (line.startsWith('--')) {
      if (buffer.length) throw new Error(`dry run line ${lineNo}: a comment inside a statement begun on line ${start} (no \`;\` ended it): ${line}`);
      const body = line.slice(2).trim();
      const title = /^== (.*) ==$/.exec(body);
      if (title) {
        unit = title[1];
        failureBlock = false;
      } else if (body.startsWith('bound:')) {
        binds = body
          .slice('bound:'.length)
          .split(',')
          .map((b) => b.split('=').slice(1).join('=').trim());
      } else if (body.startsWith('If this unit fails')) {
        failureBlock = true;
        intent = undefined;
      } else if (!body.startsWith('expect:')) intent = body;
      return;
    }
    if (line.trim() === '') {
      if (buffer.length) throw new Error(`dry run line ${lineNo}: an empty line inside a statement begun on line ${start}`);
      failureBlock = false;
      intent = undefined;
      return;
    }
    failureBlock = false;
    take(line, lineNo, false);
  });
  if (buffer.length) throw new Error(`dry run: the statement begun on line ${start} has no terminating \`;\``);
  return out;
}
