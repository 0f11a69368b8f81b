import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The analyzers' processes: Google's ZetaSQL (@fivetrandevelopers/zetasql, BigQuery's analyzer) and Fivetran's
 * Snowflake fork of it (@fivetrandevelopers/zetasql-snowflake), both pinned exactly in package.json, each ship
 * their gRPC `local_service` server as a prebuilt binary per platform. We start them ourselves on free loopback
 * ports (the packages' own runServer never resolves and inherits no port choice), once per jest run: see
 * globalSetup.ts. Nothing here reaches beyond loopback.
 */
export interface AnalyzerServerSpec {
  /** For messages. */
  engine: string;
  package: string;
  /** The folder of the binaries inside the package's lib/. */
  dir: string;
  /** Set by the global setup for the test workers: the server's port. */
  portEnv: string;
  /** Set instead of the port when the server could not start outside CI: the reason, for the skip message. */
  missingEnv: string;
}

export const SNOWFLAKE_ANALYZER: AnalyzerServerSpec = Object.freeze({
  engine: 'Snowflake',
  package: '@fivetrandevelopers/zetasql-snowflake',
  dir: 'snowflake',
  portEnv: 'THESEUS_SNOWFLAKE_ANALYZER_PORT',
  missingEnv: 'THESEUS_SNOWFLAKE_ANALYZER_MISSING',
});

export const BIGQUERY_ANALYZER: AnalyzerServerSpec = Object.freeze({
  engine: 'BigQuery',
  package: '@fivetrandevelopers/zetasql',
  dir: 'zetasql',
  portEnv: 'THESEUS_BIGQUERY_ANALYZER_PORT',
  missingEnv: 'THESEUS_BIGQUERY_ANALYZER_MISSING',
});

export const ANALYZER_PACKAGE = SNOWFLAKE_ANALYZER.package;
export const PORT_ENV = SNOWFLAKE_ANALYZER.portEnv;
export const MISSING_ENV = SNOWFLAKE_ANALYZER.missingEnv;

/** The server binary for this platform, or why there is none. */
export function serverBinary(spec: AnalyzerServerSpec = SNOWFLAKE_ANALYZER): { file: string } | { missing: string } {
  let lib: string;
  try {
    lib = path.dirname(require.resolve(spec.package));
  } catch {
    return { missing: `${spec.package} is not installed (run npm ci)` };
  }
  // The packages' own naming (lib/server.js): Linux binaries end in .so, the arm builds in _arm.
  if (process.platform !== 'linux' && process.platform !== 'darwin') return { missing: `no ZetaSQL server binary for ${process.platform}` };
  if (process.arch !== 'x64' && process.arch !== 'arm64') return { missing: `no ZetaSQL server binary for ${process.arch}` };
  const file = path.join(lib, spec.dir, `remote_server${process.arch === 'arm64' ? '_arm' : ''}${process.platform === 'linux' ? '.so' : ''}`);
  if (!fs.existsSync(file)) return { missing: `${file} is missing (a partial install?)` };
  return { file };
}

/** A free loopback port: listen on 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  port: number;
  child: ChildProcess;
  stop(): void;
}

/**
 * Spawns the server and waits until it prints that it listens (1-5 s here, the
 * cold disk cache being the slow case). Throws with the server's own output
 * when it exits or stays silent.
 */
export async function startZetaSqlServer(spec: AnalyzerServerSpec = SNOWFLAKE_ANALYZER, timeoutMs = 30_000): Promise<RunningServer> {
  const bin = serverBinary(spec);
  if ('missing' in bin) throw new Error(bin.missing);
  const port = await freePort();
  // 'localhost' because the package's client dials localhost:<port> (ZetaSQLClient.HOST).
  const child = spawn(bin.file, ['localhost', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`ZetaSQL server did not listen on port ${port} within ${timeoutMs} ms: ${output.trim()}`)), timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      if (err) {
        child.kill('SIGKILL');
        reject(err);
      } else resolve();
    };
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/listening on/i.test(output)) done();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', (err) => done(new Error(`cannot start ${bin.file}: ${err.message}`)));
    child.once('exit', (code, signal) => done(new Error(`ZetaSQL server exited (${signal ?? code}) before listening: ${output.trim()}`)));
  });
  // Drain its output from now on, so a full pipe never blocks it.
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    port,
    child,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
