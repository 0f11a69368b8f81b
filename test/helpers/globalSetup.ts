import probeEngines from './probeEngines';
import { startAnalyzers } from './analyzerSetup';

/** Jest allows one globalSetup: the engine probes (unchanged), then the analyzers' servers (BigQuery, Snowflake). */
export default async function globalSetup(): Promise<void> {
  await probeEngines();
  await startAnalyzers();
}
