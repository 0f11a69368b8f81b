import * as crypto from 'node:crypto';
import * as os from 'node:os';
import { toolVersion } from '../packageRoot';
import { usageError } from '../errors';
import type { Vars } from '../plan/types';

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

/**
 * THESEUS_NOW (epoch seconds) pins the clock, so a dry run and the apply that
 * follows it can print the very same SQL (the load id is part of the MERGE).
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
    runId: `${loadId}-${crypto.randomBytes(3).toString('hex')}`,
    loadId,
    startedAt: new Date(seconds * 1000),
    command,
    arguments: JSON.stringify(args),
    // Who runs it, for the run log and the reviewer rule (verify --approve): THESEUS_OPERATOR where a shared
    // service account runs every command, else the OS user.
    operator: env.THESEUS_OPERATOR?.trim() || env.USER || safeUserName(),
    toolVersion: toolVersion(),
  };
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function initialVars(run: RunContext): Vars {
  return new Map<string, string>([
    ['runId', run.runId],
    ['command', run.command],
    ['arguments', run.arguments],
    ['toolVersion', run.toolVersion],
    ['operator', run.operator],
  ]);
}
