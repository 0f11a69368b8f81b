import { loadDialect } from '../../dialects';
import { SERVER_URLS, requestedEngines } from './engines';

/**
 * Jest global setup: which requested engines can the tests reach? In CI an
 * unreachable server fails the run here, before any test. Elsewhere the suite
 * skips that engine with a loud message, so a laptop without MariaDB still
 * runs the rest.
 */
export default async function probeEngines(): Promise<void> {
  const available: string[] = [];
  const missing: string[] = [];
  for (const engine of requestedEngines()) {
    if (engine === 'duckdb') {
      available.push(engine);
      continue;
    }
    try {
      const dialect = await loadDialect(engine);
      const conn = await dialect.connect(SERVER_URLS[engine], { readOnly: true });
      await conn.close();
      available.push(engine);
    } catch (err) {
      missing.push(`${engine} (${SERVER_URLS[engine]}): ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (missing.length && process.env.CI) {
    throw new Error(`CI needs every engine; cannot reach ${missing.join('; ')}. .ci/run starts PostgreSQL and MariaDB; see DESIGN.md.`);
  }
  for (const m of missing) {
    process.stderr.write(`\n\n!!!!! SKIPPING every ${m.split(' ')[0]} test: cannot reach ${m}\n!!!!! (in CI this fails the run; start the server, see DESIGN.md)\n\n`);
  }
  process.env.THESEUS_ENGINES_AVAILABLE = available.join(',');
}
