import { oneLine } from './printedPlan';

/**
 * What the warehouse plan tests put in a catalog so the staging strategy plans offline (plan/staging.ts): while the
 * table is backfilling or backfilled, the orders table has a staging table in the state schema, shaped like its
 * target, and the ledger has every month of it staged and validated under `orders@staging`.
 */
const STAGED_PHASES = ['backfilling', 'backfilled'];

export const stagingTables = (phase: string, target: Array<{ name: string; type: string; nullable: boolean }>) =>
  STAGED_PHASES.includes(phase) ? { '_migrate.orders__backfill': { kind: 'table', columns: target, unique_keys: [] } } : {};

export const stagingState = (phase: string, legacy: string, months: string[]) =>
  STAGED_PHASES.includes(phase)
    ? {
        'orders@staging': {
          phase: 'backfilled',
          identity: { legacy, target: '_migrate.orders__backfill' },
          archive_name: null,
          snapshots: [],
          slices: months.map((m) => ({ window: m, status: 'done' })),
          validations: months.map((m) => ({ window: m, status: 'validated' })),
          undo: [],
        },
      }
    : {};

/** The staging commands each phase plans: stage, then promote, verify the staging, drop it; cutover drops it too. */
export const STAGING_COMMANDS = {
  stitched: [['backfill', '--all', '--strategy', 'staging', '--table', 'orders']],
  backfilling: [
    ['backfill', '--all', '--strategy', 'staging', '--table', 'orders', '--rerun'],
    ['promote', '--all', '--table', 'orders'],
    ['verify', '--against', 'staging', '--table', 'orders'],
    ['drop-staging', '--force', '--reason', 'staged again', '--table', 'orders'],
  ],
};

/** What the staging plans must show whatever the engine: promote reads the staging table, cutover drops it. */
export function inspectStaging(printed: string, phase: string, command: string[]): void {
  const stdout = oneLine(printed);
  if (command[0] === 'promote') expect(stdout).toMatch(/FROM \S*orders__backfill\S* AS p WHERE/);
  if (command[0] === 'cutover' && phase === 'backfilled') expect(stdout).toMatch(/DROP TABLE \S*orders__backfill/);
  // The staging backfill writes the staging table alone: no statement writes the live target.
  if (command[0] === 'backfill' && command.includes('staging')) expect(stdout).not.toMatch(/(MERGE INTO|INSERT INTO|UPDATE|DELETE FROM) [`"]?DLT[`"]?\.[`"]?ORDERS[`"]?\s/i);
}
