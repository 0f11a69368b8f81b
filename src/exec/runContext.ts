import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { toolVersion } from '../packageRoot';
import { usageError } from '../errors';

/** Facts about one invocation, fixed when it starts. */
export interface RunContext {
  runId: string;
  /** dlt's load id format: unix epoch seconds with a fraction, as text. */
  loadId: string;
  startedAt: Date;
  command: string;
  arguments: string;
  operator: string;
  toolVersion: string;
}

/** What the ledger's statements record of a run, as literals (ledger/writes.ts). */
export type RunIdentity = Pick<RunContext, 'runId' | 'command' | 'arguments' | 'toolVersion' | 'operator'>;

/**
 * THESEUS_NOW (epoch seconds) pins the clock, so a dry run and the apply that
 * follows it can print the very same SQL (the load id is part of the MERGE);
 * THESEUS_RUN_ID pins the run id likewise.
 */
export function createRunContext(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): RunContext {
  const pinned = env.THESEUS_NOW;
  if (pinned !== undefined && !/^\d+(\.\d+)?$/.test(pinned)) {
    throw usageError('BAD_ENV', `THESEUS_NOW=${pinned} is not epoch seconds`, 'unset it, or set it like THESEUS_NOW=1732262400.5');
  }
  const seconds = pinned !== undefined ? Number(pinned) : Date.now() / 1000;
  // The clock counts milliseconds: random microseconds keep two runs started in the same millisecond from minting
  // the same dlt load id (a collision that remains is refused when the slice claims the id: LOAD_ID_TAKEN).
  const loadId = pinned !== undefined ? pinned : `${seconds.toFixed(3)}${String(crypto.randomInt(1000)).padStart(3, '0')}`;
  return {
    runId: pinnedRunId(env) ?? `${loadId}-${crypto.randomBytes(3).toString('hex')}`,
    loadId,
    startedAt: new Date(seconds * 1000),
    command,
    arguments: JSON.stringify(recordedArguments(args)),
    // Who runs it, for the run log and the reviewer rule (verify --approve): THESEUS_OPERATOR where a shared
    // service account runs every command, else the OS user.
    operator: env.THESEUS_OPERATOR?.trim() || env.USER || safeUserName(),
    toolVersion: toolVersion(),
  };
}

/**
 * The arguments the run log keeps: all but those that choose where the plan is printed or what it is planned from
 * (--dry-run, --out, --catalog). The plan holds them as a literal, so a dry run and the apply after it record the same.
 */
export function recordedArguments(args: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    // As yargs reads them: --dry-run, --dryRun, --no-dry-run, --dry-run=true, --dry-run false; --out FILE, --out=FILE.
    const flag = /^--(?:no-)?(dry-run|dryRun|out|catalog)(=.*)?$/.exec(args[i]);
    if (!flag) kept.push(args[i]);
    else if (flag[2] !== undefined) continue;
    else if (flag[1] === 'out' || flag[1] === 'catalog') i++;
    else if (args[i + 1] === 'true' || args[i + 1] === 'false') i++;
  }
  return kept;
}

/**
 * THESEUS_RUN_ID pins the run id, which the plan's ledger statements hold as a literal: with THESEUS_NOW, a dry run
 * and the apply that follows it print byte-identical SQL. An id the ledger already has is refused when the run starts
 * (the runs table's primary key), so a pinned id serves one apply.
 */
function pinnedRunId(env: NodeJS.ProcessEnv): string | undefined {
  const id = env.THESEUS_RUN_ID;
  if (id === undefined) return undefined;
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(id)) {
    throw usageError('BAD_ENV', `THESEUS_RUN_ID=${id} is not a run id`, 'use up to 64 letters, digits and . _ : -, like THESEUS_RUN_ID=review-2026-12-03');
  }
  return id;
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
