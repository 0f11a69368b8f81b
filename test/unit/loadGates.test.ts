import { resolveControls } from '../../src/backfill/controls';
import { type LoadReader, SliceGates } from '../../src/backfill/gates';
import type { BackfillEvent, Reporter } from '../../src/backfill/progress';
import { StopSignal } from '../../src/backfill/stopSignal';

/**
 * The load gate reads every signal the engine offers in one go and holds each
 * threshold against its own signal: on Snowflake `--max-load queued=2` waits
 * while statements queue on the warehouse, and `--critical-load running=30`
 * stops the run when too many execute.
 */
const snowflakeEngine = { name: 'snowflake', loadSignalNames: ['active', 'running', 'queued'] };

function gatesOver(readings: Array<Record<string, number>>, flags: Record<string, unknown>) {
  const events: BackfillEvent[] = [];
  const reporter: Reporter = { emit: (e) => events.push(e), line: () => undefined, close: () => undefined };
  const stop = new StopSignal();
  let reads = 0;
  const load: LoadReader = { read: async () => readings[Math.min(reads++, readings.length - 1)] };
  const controls = resolveControls({}, { recheck_every: '50ms', ...flags }, snowflakeEngine);
  return { gates: new SliceGates(controls, stop, reporter, load), events, stop, reads: () => reads };
}

describe('load gates by signal name', () => {
  it('--max-load queued=2 waits while more than 2 statements queue, whatever runs, and says which signal it waited on', async () => {
    const g = gatesOver([{ active: 12, running: 9, queued: 3 }, { active: 40, running: 40, queued: 0 }], { max_load: 'queued=2' });
    expect(await g.gates.waitForTurn()).toBe(true);
    expect(g.reads()).toBe(2);
    expect(g.events.map((e) => [e.event, (e as { signal?: string }).signal, (e as { load?: number }).load])).toEqual([
      ['throttled', 'queued', 3],
      ['throttle_cleared', 'queued', 0],
    ]);
  });

  it('--critical-load running=30 stops on running alone; a --max-load on another signal may be higher', async () => {
    const g = gatesOver([{ active: 31, running: 31, queued: 0 }], { max_load: 'queued=50', critical_load: 'running=30' });
    expect(await g.gates.waitForTurn()).toBe(false);
    expect(g.stop.critical).toBe(true);
    expect(g.stop.reason).toBe('running is 31, above --critical-load running=30');
  });

  it('a bare number means active, and a signal the engine does not read is refused by name', () => {
    expect(resolveControls({}, { max_load: '8' }, snowflakeEngine).maxLoad).toEqual({ text: 'active=8', name: 'active', value: 8 });
    expect(() => resolveControls({}, { max_load: 'avg_blocked=1' }, snowflakeEngine)).toThrow(/--max-load avg_blocked=1: snowflake reads active or running or queued/);
  });
});

describe('how many slices run at once', () => {
  it("BigQuery runs one slice at a time (concurrent transactions on the ledger's tables abort): --max-parallel 4 runs 1, and says why", async () => {
    const { sliceWorkers } = await import('../../src/backfill/scheduler');
    const { bigquery } = await import('../../dialects/bigquery');
    const { postgres } = await import('../../dialects/postgres');
    const { duckdb } = await import('../../dialects/duckdb');
    expect(sliceWorkers(4, bigquery, true, 12)).toEqual({
      count: 1,
      note: "note: bigquery runs 1 slice at a time (every slice's transaction writes the ledger's tables, and BigQuery aborts one of two concurrent transactions on a table); --max-parallel 4 is capped",
    });
    expect(sliceWorkers(1, bigquery, true, 12)).toEqual({ count: 1 });
    expect(sliceWorkers(4, postgres, true, 12)).toEqual({ count: 4 });
    expect(sliceWorkers(4, postgres, true, 3)).toEqual({ count: 3 });
    expect(sliceWorkers(4, duckdb, false, 12).count).toBe(1);
  });
});
