import probeEngines from './probeEngines';
import { startSnowflakeAnalyzer } from './snowflakeAnalyzerSetup';

/** Jest allows one globalSetup: the engine probes (unchanged), then the Snowflake analyzer's server. */
export default async function globalSetup(): Promise<void> {
  await probeEngines();
  await startSnowflakeAnalyzer();
}
