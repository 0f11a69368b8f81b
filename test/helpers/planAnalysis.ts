import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CliResult, cli } from './warehouse';

/**
 * The scaffold the warehouse plan tests share (Snowflake, BigQuery): every command of every phase planned offline
 * from a catalog of that phase (`--dry-run --catalog`, no account, no connection), the plan printed without an
 * error, the engine's own expectations on it, then every statement analyzed. In CI a missing analyzer fails; outside
 * CI the analysis is skipped, loudly.
 */
export interface PlanAnalysis<Phase extends string> {
  /** As messages name it: "BigQuery". */
  engine: string;
  /** Why the engine's analyzer cannot run, if it cannot. */
  unavailable: string | undefined;
  /** The config the commands plan with (a migrate.yaml's text). */
  config: string;
  /** The commands to plan in each phase; the catalog of that phase comes from catalogFor. */
  commands: Record<Phase, string[][]>;
  catalogFor(phase: Phase): unknown;
  /** The environment each command runs in (a pinned clock, the config's variables). */
  env: NodeJS.ProcessEnv;
  /** The engine's expectations on one command's plan, asked before it is analyzed (status too, which is not). */
  inspect?(r: CliResult, phase: Phase, command: string[]): void;
  /** Analyzes every statement of a plan against the catalog file it was planned from; resolves with what it analyzed. */
  analyze(planText: string, catalogFile: string): Promise<unknown[]>;
  /** The engine's other tests, run in the same describe with its temporary folder and the config's file. */
  more?(files: { dir(): string; config(): string }): void;
}

export function describePlanAnalysis<Phase extends string>(spec: PlanAnalysis<Phase>): void {
  if (spec.unavailable) {
    if (process.env.CI) test(`the ${spec.engine} analyzer is available in CI`, () => { throw new Error(`${spec.engine} analyzer unavailable: ${spec.unavailable}`); });
    else process.stderr.write(`\n!!!!! SKIPPING the ${spec.engine} plan analysis: ${spec.unavailable}\n`);
  }

  (spec.unavailable ? describe.skip : describe)(`every statement of every command's plan on ${spec.engine} passes the analyzer`, () => {
    let dir: string;
    let config: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `theseus-${spec.engine.toLowerCase()}-plans-`));
      config = path.join(dir, 'migrate.yaml');
      fs.writeFileSync(config, spec.config);
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    spec.more?.({ dir: () => dir, config: () => config });

    for (const [phase, commands] of Object.entries(spec.commands) as Array<[Phase, string[][]]>) {
      for (const command of commands) {
        it(`${phase}: ${command.join(' ')}`, async () => {
          const catalog = path.join(dir, `${phase}.json`);
          fs.writeFileSync(catalog, JSON.stringify(spec.catalogFor(phase), null, 2));
          const r = cli([...command, '--dry-run', '--catalog', catalog, '--config', config], spec.env);
          expect({ command, stderr: r.stderr.split('\n').filter((l) => l.startsWith('error')), status: r.status }).toEqual({ command, stderr: [], status: 0 });
          spec.inspect?.(r, phase, command);
          if (command[0] === 'status') return;
          expect((await spec.analyze(r.stdout, catalog)).length).toBeGreaterThan(0);
        });
      }
    }
  });
}
