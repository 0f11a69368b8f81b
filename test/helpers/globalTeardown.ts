import { stopAnalyzers } from './analyzerSetup';

/** Kills the analyzers' servers the global setup started. */
export default async function globalTeardown(): Promise<void> {
  stopAnalyzers();
}
