import { usageError } from '../errors';

/**
 * --force overrides one refusal and must say why: --reason is required with it. (--reason is accepted by every
 * command and kept in the run log, as part of the arguments.) Returns the trimmed reason when forcing.
 */
export function forceReason(options: { force?: boolean; reason?: string }, why: string, example: string): string | undefined {
  if (options.force && !options.reason?.trim()) {
    throw usageError('REASON_REQUIRED', `--force needs --reason "…": ${why}`, `the reason is kept in the run log; e.g. --force --reason "${example}"`);
  }
  return options.force ? options.reason!.trim() : undefined;
}
