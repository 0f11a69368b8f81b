import * as crypto from 'node:crypto';
import { cli } from './helpers/warehouse';
import { type EngineName, type Sandbox, openSandbox, testEngines } from './helpers/engines';
import { startCli } from './helpers/processes';

/**
 * slice: key (issue 17): tables without a time cursor, backfilled in chunks of their key. A sparse integer key (gaps of
 * a million) is cut into ranges planned from its distribution; a uuid key and a composite text key into hash buckets.
 * Each migrates completely with a SIGKILL in the middle and a resume; verify passes, and catches a missing row and a
 * changed value in the chunk that holds them, repaired by `--chunk N`; a key legacy gains after the plan lands in the
 * last, open-ended range; a chunk the ledger lost leaves keys outside every chunk, which verify reports.
 */
const ROWS = 240;
const CHUNK_ROWS = 40;

interface KeyShape {
  name: string;
  key: string[];
  /** Column DDL of the key, per engine. */
  keyDdl: (engine: EngineName) => string;
  /** The key values of row i, as SQL literals. */
  keyOf: (i: number) => string[];
  /** A WHERE on the key of row i. */
  where: (i: number) => string;
}

const uuidOf = (i: number) => {
  const h = crypto.createHash('md5').update(`row-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const SHAPES: KeyShape[] = [
  {
    name: 'sparse',
    key: ['id'],
    keyDdl: () => 'id BIGINT NOT NULL PRIMARY KEY',
    // Three dense runs far apart: 1..80, then a million apart, then 10^12 and up.
    keyOf: (i) => [String(i <= 80 ? i : i <= 160 ? i * 1_000_000 : 1_000_000_000_000 + i)],
    where: (i) => `id = ${i <= 80 ? i : i <= 160 ? i * 1_000_000 : 1_000_000_000_000 + i}`,
  },
  {
    name: 'uuids',
    key: ['id'],
    keyDdl: (e) => (e === 'mysql' ? 'id CHAR(36) NOT NULL PRIMARY KEY' : 'id UUID NOT NULL PRIMARY KEY'),
    keyOf: (i) => [`'${uuidOf(i)}'`],
    where: (i) => `id = '${uuidOf(i)}'`,
  },
  {
    name: 'pairs',
    key: ['region', 'code'],
    keyDdl: () => 'region VARCHAR(16) NOT NULL, code VARCHAR(16) NOT NULL, PRIMARY KEY (region, code)',
    keyOf: (i) => [`'r${i % 7}'`, `'c-${i}'`],
    where: (i) => `region = 'r${i % 7}' AND code = 'c-${i}'`,
  },
];

/**
 * A name that takes a while, so the SIGKILL lands in the middle of the run: every statement reading it waits once
 * (an uncorrelated subquery: a sleep, or on DuckDB, which has no sleep, a scan of a long range), so every chunk is
 * slow (they are hash buckets: no one row is known to be in a late chunk).
 */
function slowName(engine: EngineName): string {
  const rows = Math.round(0.3 * 1_300_000_000);
  return {
    duckdb: `CASE WHEN name IS NOT NULL THEN (SELECT name FROM range(${rows}) r(i) WHERE i = ${rows - 1}) ELSE name END`,
    postgres: `CASE WHEN (SELECT true FROM pg_sleep(0.4)) THEN name ELSE name END`,
    // MariaDB runs a sleep once per row read, whatever the subquery: a hundredth of a second each.
    mysql: `CASE WHEN SLEEP(0.01) = 0 THEN name ELSE name END`,
  }[engine];
}

describe.each(testEngines())('slice: key on %s', (engine) => {
  let s: Sandbox;
  beforeAll(async () => {
    s = await openSandbox(engine);
    await s.createSchema('legacy_schema');
    await s.createSchema('dlt_schema');
  });
  afterAll(async () => s?.drop());

  it.each(SHAPES.map((shape) => [shape.name, shape] as const))('%s: migrates completely through a SIGKILL, and verify catches faults per chunk', async (_name, shape) => {
    const legacy = s.q('legacy_schema', shape.name);
    const target = s.q('dlt_schema', shape.name);
    const text = engine === 'mysql' ? 'VARCHAR(64)' : 'VARCHAR';
    const dec = engine === 'postgres' ? 'numeric(12,2)' : 'DECIMAL(12,2)';
    await s.exec(`CREATE TABLE ${legacy} (${shape.keyDdl(engine)}, name ${text}, amount ${dec})`);
    const targetKey = shape.keyDdl(engine).replace(/UUID/g, engine === 'duckdb' ? 'UUID' : 'uuid');
    await s.exec(`CREATE TABLE ${target} (${targetKey}, name ${text}, amount ${dec}, _dlt_load_id ${text} NOT NULL, _dlt_id ${text} NOT NULL)`);
    const rows = Array.from({ length: ROWS }, (_, n) => n + 1);
    await s.exec(`INSERT INTO ${legacy} VALUES ${rows.map((i) => `(${[...shape.keyOf(i), `'name ${i}'`, `${i}.25`].join(', ')})`).join(', ')}`);
    const tables = (name: string, extra = '') => `tables:
  ${shape.name}:
    legacy: ${s.ref('legacy_schema', shape.name)}
    target: ${s.ref('dlt_schema', shape.name)}
    view: ${s.ref('dw', `all_${shape.name}`)}
    key: [${shape.key.join(', ')}]
${extra}backfill:
  slice: key
  chunk_rows: ${CHUNK_ROWS}
`.replace('tables:', `# ${name}\ntables:`);
    const config = s.writeConfig(tables('fast'), `${shape.name}.yaml`);
    const slow = s.writeConfig(tables('slow', `    columns:\n      name: { expr: "${slowName(engine)}" }\n`), `${shape.name}-slow.yaml`);
    const run = (...args: string[]) => cli([...args, '--config', config]);
    expect(run('stitch').status).toBe(0);

    // Killed in the middle: some chunks done, the one running interrupted.
    const child = startCli(['backfill', '--all', '--config', slow]);
    await child.waitFor(new RegExp(`${shape.name} (chunk|bucket)-\\S+: \\d+ legacy rows? →`));
    await new Promise((r) => setTimeout(r, 400));
    child.child.kill('SIGKILL');
    await child.exited;
    const slices = async () => s.query(`SELECT window_key, status FROM ${s.quote(s.stateSchema)}.slices WHERE table_name = '${shape.name}' ORDER BY window_key`);
    const before = await slices();
    const doneBefore = before.filter((r) => r.status === 'done').length;
    expect(doneBefore).toBeGreaterThan(0);
    expect(doneBefore).toBeLessThan(before.length);
    // Ranges for the integer key, planned from its distribution: no chunk is empty, none is giant.
    const keys = before.map((r) => String(r.window_key));
    if (shape.name === 'sparse') expect(keys.every((k) => k.startsWith('chunk-'))).toBe(true);
    else expect(keys.every((k) => k.startsWith('bucket-'))).toBe(true);

    // --limit stops after one more chunk; the rest resume on several connections where the engine has them.
    const limited = run('backfill', '--all', '--limit', '1');
    expect(limited.status).toBe(0);
    expect(limited.stdout).toMatch(/backfill: 1 slice done/);
    const resumed = run('backfill', '--all', ...(engine === 'duckdb' ? [] : ['--max-parallel', '2']));
    expect(resumed.stderr).not.toMatch(/error/);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain(`${shape.name}: complete: every legacy row is in the target`);
    const after = await slices();
    expect(after.map((r) => String(r.window_key))).toEqual(keys);
    expect(after.every((r) => r.status === 'done')).toBe(true);
    const perChunk = await s.query(`SELECT window_key, legacy_rows FROM ${s.quote(s.stateSchema)}.slices WHERE table_name = '${shape.name}'`);
    if (shape.name === 'sparse') {
      for (const r of perChunk) expect(Number(r.legacy_rows)).toBe(CHUNK_ROWS);
    } else {
      expect(perChunk.reduce((n, r) => n + Number(r.legacy_rows), 0)).toBe(ROWS);
      for (const r of perChunk) expect(Number(r.legacy_rows)).toBeGreaterThan(0);
    }
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${target}`))[0].n)).toBe(ROWS);
    expect(run('verify').status).toBe(0);

    // The fault matrix: a missing row and a changed value, each caught in its own chunk.
    await s.exec(`DELETE FROM ${target} WHERE ${shape.where(5)}`);
    await s.exec(`UPDATE ${target} SET amount = 999 WHERE ${shape.where(200)}`);
    const failed = run('verify');
    expect(failed.status).toBe(4);
    expect(failed.stderr).toMatch(/2 windows failed verification: (chunk|bucket)-\S+ \(1 missing key\); (chunk|bucket)-\S+ \(1 changed row\)|2 windows failed verification: (chunk|bucket)-\S+ \(1 changed row\); (chunk|bucket)-\S+ \(1 missing key\)/);
    // backfill --chunk N repairs a chunk; --all --rerun the rest.
    for (const failedChunk of failed.stderr.match(/(?:chunk|bucket)-\d+/g)!) expect(run('backfill', '--chunk', String(Number(/-(\d+)/.exec(failedChunk)![1]))).status).toBe(0);
    expect(run('verify').status).toBe(0);

    if (shape.name !== 'sparse') {
      expect(run('cutover').status).toBe(0);
      return;
    }
    // A key legacy gains after the plan: in the last, open-ended range; verify finds it missing there.
    await s.exec(`INSERT INTO ${legacy} VALUES (${[...shape.keyOf(ROWS + 1000), "'late'", '1.00'].join(', ')})`);
    const late = run('verify');
    expect(late.status).toBe(4);
    expect(late.stderr).toContain('1 missing key');
    expect(run('cutover').status).toBe(3);
    expect(run('backfill', '--all', '--rerun').status).toBe(0);
    expect(run('verify').status).toBe(0);
    const cutover = run('cutover');
    expect(cutover.stderr).not.toMatch(/error/);
    expect(cutover.status).toBe(0);
    expect(Number((await s.query(`SELECT count(*) AS n FROM ${s.q('dw', `all_${shape.name}`)}`))[0].n)).toBe(ROWS + 1);

    // A chunk the ledger lost leaves its keys in no chunk: verify says so.
    await s.exec(`DELETE FROM ${s.quote(s.stateSchema)}.slices WHERE table_name = '${shape.name}' AND window_key = '${keys[0]}'`);
    const outside = run('verify');
    expect(outside.status).toBe(4);
    expect(outside.stderr).toMatch(/legacy rows outside every window: no chunk \(\d+ rows?\)/);
  });
});
