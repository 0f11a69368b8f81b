import { type AnalyzerServerSpec, BIGQUERY_ANALYZER, type RunningServer, SNOWFLAKE_ANALYZER, startZetaSqlServer } from './zetasqlServer';

/**
 * Jest global setup part: start the analyzers (ZetaSQL for BigQuery, its Snowflake fork) once for the whole run
 * and hand their ports to the workers through the environment. Like the engine probes: in CI a server that
 * cannot start fails the run; elsewhere that engine's analyzer tests skip with a loud message.
 */
const KEY = '__theseusAnalyzers';
type Holder = { [KEY]?: RunningServer[] };

async function start(spec: AnalyzerServerSpec): Promise<void> {
  delete process.env[spec.missingEnv];
  try {
    const server = await startZetaSqlServer(spec);
    // globalTeardown runs in this same process, but maybe with a fresh module registry: keep the handle on globalThis.
    ((globalThis as Holder)[KEY] ??= []).push(server);
    process.env[spec.portEnv] = String(server.port);
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    if (process.env.CI) throw new Error(`CI needs the ${spec.engine} analyzer (${spec.package}): ${reason}`);
    process.env[spec.missingEnv] = reason;
    process.stderr.write(`\n\n!!!!! SKIPPING every ${spec.engine} analyzer test: ${reason}\n!!!!! (in CI this fails the run; npm ci installs the server binary, Linux/macOS x64/arm64 only)\n\n`);
  }
}

export async function startAnalyzers(): Promise<void> {
  await Promise.all([start(SNOWFLAKE_ANALYZER), start(BIGQUERY_ANALYZER)]);
}

export function stopAnalyzers(): void {
  for (const server of (globalThis as Holder)[KEY] ?? []) server.stop();
  delete (globalThis as Holder)[KEY];
}
