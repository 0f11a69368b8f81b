import { MISSING_ENV, PORT_ENV, type RunningServer, startZetaSqlServer } from './zetasqlServer';

/**
 * Jest global setup part: start the Snowflake analyzer (ZetaSQL fork) once for
 * the whole run and hand its port to the workers through the environment.
 * Like the engine probes: in CI a server that cannot start fails the run;
 * elsewhere the analyzer tests skip with a loud message.
 */
const KEY = '__theseusSnowflakeAnalyzer';
type Holder = { [KEY]?: RunningServer };

export async function startSnowflakeAnalyzer(): Promise<void> {
  delete process.env[MISSING_ENV];
  try {
    const server = await startZetaSqlServer();
    // globalTeardown runs in this same process, but maybe with a fresh module registry: keep the handle on globalThis.
    (globalThis as Holder)[KEY] = server;
    process.env[PORT_ENV] = String(server.port);
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    if (process.env.CI) throw new Error(`CI needs the Snowflake analyzer (ZetaSQL fork): ${reason}`);
    process.env[MISSING_ENV] = reason;
    process.stderr.write(`\n\n!!!!! SKIPPING every Snowflake analyzer test: ${reason}\n!!!!! (in CI this fails the run; npm ci installs the server binary, Linux/macOS x64/arm64 only)\n\n`);
  }
}

export function stopSnowflakeAnalyzer(): void {
  (globalThis as Holder)[KEY]?.stop();
  delete (globalThis as Holder)[KEY];
}
