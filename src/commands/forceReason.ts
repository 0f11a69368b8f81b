import { usageError } from '../errors';

/**
 * --force overrides one refusal and must say why: --reason is required with it and refused without it. The reason
 * is kept in the run log, as part of the arguments. Returns the trimmed reason when forcing.
 */
export function forceReason(options: { force?: boolean; reason?: string }, why: string, example: string, refusal: string): string | undefined {
  if (options.force && !options.reason?.trim()) {
    throw usageError('REASON_REQUIRED', `--force needs --reason "…": ${why}`, `the reason is kept in the run log; e.g. --force --reason "${example}"`);
  }
  if (options.reason !== undefined && !options.force) throw usageError('BAD_FLAG', '--reason goes with --force', refusal);
  return options.force ? options.reason!.trim() : undefined;
}
