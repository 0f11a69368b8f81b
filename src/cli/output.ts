import { createColors } from 'picocolors';

/**
 * What the CLI writes, and how: colour only where a person reads it (a terminal, unless NO_COLOR is set or
 * --no-color given; FORCE_COLOR forces it), each warning once per run, progress silenced by --quiet (warnings,
 * errors and the data a command prints are kept). picocolors does the colouring; the decision is ours, because
 * picocolors turns colour on whenever CI is set, and CI logs and the tests read plain text.
 */
export interface Output {
  /** Progress and results in words (stdout, or stderr where stdout carries SQL or JSON). */
  info(line: string): void;
  warn(line: string): void;
  error(code: string, message: string, hint?: string): void;
}

export interface OutputOptions {
  quiet?: boolean;
  /** --color / --no-color as given (undefined: decide from the terminal and the environment). */
  color?: boolean;
  /** stdout carries SQL or JSON: progress goes to stderr. */
  stdoutTaken?: boolean;
  env?: NodeJS.ProcessEnv;
}

export function colorWanted(stream: NodeJS.WriteStream, given: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (given !== undefined) return given;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function createOutput(options: OutputOptions = {}): Output {
  const env = options.env ?? process.env;
  const infoStream = options.stdoutTaken ? process.stderr : process.stdout;
  const c = createColors(colorWanted(process.stderr, options.color, env));
  const warned = new Set<string>();
  return {
    info: (line) => {
      if (!options.quiet) infoStream.write(`${line}\n`);
    },
    warn: (line) => {
      if (warned.has(line)) return;
      warned.add(line);
      process.stderr.write(`${c.yellow('warning:')} ${line}\n`);
    },
    error: (code, message, hint) => {
      process.stderr.write(`${c.red(c.bold(`error [${code}]:`))} ${message}\n`);
      if (hint) process.stderr.write(`${c.dim('hint:')} ${hint}\n`);
    },
  };
}

/** --color / --no-color / --quiet as typed, read before yargs parses (the last words of a failed parse need them too). */
export function outputFlags(argv: readonly string[]): { color?: boolean; quiet: boolean } {
  const color = argv.includes('--no-color') ? false : argv.includes('--color') ? true : undefined;
  return { ...(color === undefined ? {} : { color }), quiet: argv.includes('--quiet') || argv.includes('-q') };
}
