/**
 * The package's programmatic API (`import { backfill, status } from 'theseus-migrate'`): see api.ts, and the
 * README's "Programmatic API". The CLI (cli/main.ts) is the other door to the same commands.
 */
export { backfill, cutover, stitch, status, validate, verify } from './api';
export type { BackfillResult, BackfillRunOptions, CommandResult, Config, CutoverRunOptions, RunOptions, VerifyRunOptions } from './api';
export type { BackfillEvent } from './backfill/progress';
export type { RawControls } from './backfill/controls';
export type { TableStatus } from './commands/status';
export type { HeldDatabase } from './commands/heldDatabase';
export type { ProgressSnapshot } from './backfill/progressFile';
export type { ValidationProblem, ValidationResult } from './commands/validate';
export type { ConfigDocument } from './config/load';
export type { RawConfig as ConfigFile } from './config/schema';
export type { VerifyReport } from './verify/report';
export { EXIT_CODES, TheseusError } from './errors';
