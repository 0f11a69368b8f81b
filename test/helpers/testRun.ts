import type { RunIdentity } from '../../src/exec/runContext';

/** The run a test's hand-built plan records in the ledger (LedgerWriter renders it as literals). */
export const TEST_RUN: RunIdentity = { runId: '1733130000.5-test', command: 'backfill', arguments: '[]', toolVersion: 'test', operator: 'test' };
