import { createRunContext, recordedArguments } from '../../src/exec/runContext';

describe('the run identity a plan holds as literals', () => {
  test('the recorded arguments leave out where the plan is printed and what it is planned from, in every spelling yargs reads', () => {
    const same = ['stitch', '--config', 'm.yaml'];
    for (const args of [
      ['stitch', '--dry-run', '--out', 'plan.sql', '--config', 'm.yaml'],
      ['stitch', '--dryRun', '--out=plan.sql', '--config', 'm.yaml'],
      ['stitch', '--dry-run', 'true', '--config', 'm.yaml', '--catalog', 'c.json'],
      ['stitch', '--dry-run=true', '--catalog=c.json', '--config', 'm.yaml'],
      ['stitch', '--no-dry-run', '--config', 'm.yaml'],
      ['stitch', '--config', 'm.yaml'],
    ]) {
      expect(recordedArguments(args)).toEqual(same);
    }
    // Everything else is kept, values that look like flags' values included.
    expect(recordedArguments(['backfill', '--month', '2024-03', '--reason', 'true', '--table', 'out'])).toEqual(['backfill', '--month', '2024-03', '--reason', 'true', '--table', 'out']);
  });

  test('THESEUS_RUN_ID pins the run id; one that is not an id is refused', () => {
    expect(createRunContext('stitch', [], { THESEUS_RUN_ID: 'review-2026-12-03' }).runId).toBe('review-2026-12-03');
    expect(createRunContext('stitch', [], {}).runId).toMatch(/^\d+\.\d+-[0-9a-f]{6}$/);
    expect(() => createRunContext('stitch', [], { THESEUS_RUN_ID: "x'; DROP TABLE runs; --" })).toThrow(/THESEUS_RUN_ID/);
  });
});
