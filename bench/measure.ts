import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cliPath } from '../src/packageRoot';
import { performance } from 'node:perf_hooks';

/** Timing, the peak-RSS sampler and the migrate child process: the bench's measuring instruments. */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CLI = cliPath();

export async function timed<T>(body: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await body();
  return { seconds: (performance.now() - start) / 1000, value };
}

/** Peak resident memory of a live process in kB: the kernel's high-water mark (VmHWM), or VmRSS where that is missing. */
function residentKb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return Math.max(kb('VmHWM'), kb('VmRSS'));
  } catch {
    return 0; // the process has just exited: its last sample stands
  }
}

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Wall time from spawn to exit, Node's start-up included. */
  seconds: number;
  /** Highest sampled VmHWM/VmRSS in MB (0 when not sampled). */
  peakRssMb: number;
  stdout: string;
  stderr: string;
}

const KEEP_CHARS = 64 * 1024;
const keepTail = (text: string) => (text.length > KEEP_CHARS ? text.slice(-KEEP_CHARS) : text);

/**
 * Runs `node dist/migrate.js …args` (the bundled CLI) as a child process. spawn (not
 * spawnSync) keeps this process free to sample the child's /proc status every
 * 50 ms while it runs; node itself is the child (no shell), so the pid sampled
 * is migrate's own.
 */
export function runCli(args: string[], options: { sampleRss?: boolean } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = keepTail(stdout + d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = keepTail(stderr + d)));
    let peakKb = 0;
    const sample = () => child.pid !== undefined && (peakKb = Math.max(peakKb, residentKb(child.pid)));
    const sampler = options.sampleRss ? setInterval(sample, 50) : undefined;
    if (options.sampleRss) sample();
    let seconds = 0;
    child.on('exit', () => {
      seconds = (performance.now() - start) / 1000;
      if (sampler) clearInterval(sampler);
    });
    child.on('error', (err) => {
      if (sampler) clearInterval(sampler);
      reject(err);
    });
    child.on('close', (code, signal) => resolve({ args, code, signal, seconds, peakRssMb: peakKb / 1024, stdout, stderr }));
  });
}

function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** A migrate step that failed: the bench reports its output and exits non-zero. */
export class CliFailure extends Error {
  constructor(readonly run: CliRun) {
    super(
      `migrate ${run.args.join(' ')} exited with ${run.code ?? run.signal}\n` +
        `--- stdout (tail) ---\n${tail(run.stdout) || '(empty)'}\n--- stderr (tail) ---\n${tail(run.stderr) || '(empty)'}`,
    );
  }
}

export async function runCliOk(args: string[], options: { sampleRss?: boolean } = {}): Promise<CliRun> {
  const run = await runCli(args, options);
  if (run.code !== 0) throw new CliFailure(run);
  return run;
}
