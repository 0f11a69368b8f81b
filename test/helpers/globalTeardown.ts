import { stopSnowflakeAnalyzer } from './snowflakeAnalyzerSetup';

/** Kills the analyzer's server the global setup started. */
export default async function globalTeardown(): Promise<void> {
  stopSnowflakeAnalyzer();
}
