import { analyzeDryRun, analyzerUnavailable } from './helpers/snowflakeAnalyzer';
import { analyzeBigQueryDryRun, bigqueryAnalyzerUnavailable } from './helpers/bigqueryAnalyzer';
import { describePlanAnalysis } from './helpers/planAnalysis';
import { oneLine } from './helpers/printedPlan';

/**
 * slice: key on Snowflake and BigQuery (issue 17): tables without a cursor plan offline from a catalog whose ledger
 * holds their chunks (ranges of an integer key, hash buckets of a text one), and every statement of the backfill,
 * one chunk's repair, verify and cutover passes the engine's analyzer.
 */
type Phase = 'stitched' | 'backfilling' | 'backfilled';

const RANGES = ['chunk-0000:..1000', 'chunk-0001:1000..5000', 'chunk-0002:5000..'];
const BUCKETS = ['bucket-0000-of-0003', 'bucket-0001-of-0003', 'bucket-0002-of-0003'];

const COMMANDS: Record<Phase, string[][]> = {
  stitched: [['backfill', '--all'], ['status']],
  backfilling: [['backfill', '--all'], ['backfill', '--chunk', '1', '--table', 'accounts'], ['verify']],
  backfilled: [['verify'], ['cutover']],
};

interface Names {
  legacy: (t: string) => string;
  target: (t: string) => string;
  view: (t: string) => string;
  col: (c: string) => string;
  types: { int: string; text: string; num: string };
  dialect: string;
}

function catalogFor(n: Names, phase: Phase): Record<string, unknown> {
  const col = (name: string, type: string, nullable = true) => ({ name: n.col(name), type, nullable });
  const accounts = [col('id', n.types.int, false), col('owner', n.types.text), col('balance', n.types.num)];
  const codes = [col('code', n.types.text, false), col('label', n.types.text)];
  const dlt = [col('_dlt_load_id', n.types.text, false), col('_dlt_id', n.types.text, false)];
  const table = (columns: unknown[]) => ({ kind: 'table', columns, unique_keys: [] });
  const view = (columns: Array<{ name: string; type: string }>) => ({ kind: 'view', columns: [...columns, { name: 'source_flag', type: n.types.text, nullable: true }], unique_keys: [] });
  const slices = (keys: string[]) =>
    keys.map((window, i) => ({
      window,
      status: phase === 'stitched' ? 'pending' : phase === 'backfilled' || i === 0 ? 'done' : i === 1 ? 'failed' : 'pending',
      ...(phase === 'backfilling' && i === 1 ? { error: 'lock wait timeout' } : {}),
    }));
  const state = (id: string, keys: string[]) => ({
    phase: phase === 'stitched' ? 'stitched' : phase,
    identity: { legacy: n.legacy(id), target: n.target(id) },
    archive_name: null,
    snapshots: [],
    slices: slices(keys),
    validations: phase === 'backfilled' ? keys.map((window) => ({ window, status: 'validated' })) : [],
    undo: [],
  });
  return {
    theseus_catalog: 1,
    dialect: n.dialect,
    ...(n.dialect === 'bigquery' ? { server: { location: 'EU' } } : {}),
    tables: {
      [n.legacy('accounts')]: table(accounts),
      [n.target('accounts')]: table([...accounts, ...dlt]),
      [n.view('accounts')]: view([...accounts, ...dlt]),
      [n.legacy('codes')]: table(codes),
      [n.target('codes')]: table([...codes, ...dlt]),
      [n.view('codes')]: view([...codes, ...dlt]),
    },
    state: { accounts: state('accounts', RANGES), codes: state('codes', BUCKETS) },
    legacy_profile: {
      accounts: { rows: 6000, null_cursor_rows: 0, null_key_rows: 0 },
      codes: { rows: 300, null_cursor_rows: 0, null_key_rows: 0 },
    },
  };
}

const tables = (n: Names) => `tables:
  accounts:
    legacy: ${n.legacy('accounts')}
    target: ${n.target('accounts')}
    view: ${n.view('accounts')}
    key: ${n.col('id')}
  codes:
    legacy: ${n.legacy('codes')}
    target: ${n.target('codes')}
    view: ${n.view('codes')}
    key: ${n.col('code')}
`;

const inspect = (printed: string, command: string[]) => {
  const stdout = oneLine(printed);
  // A range on the integer key; a hash bucket of the text key's text.
  if (command[0] === 'backfill' && command.includes('--all')) expect(stdout).toMatch(/>= 1000 AND \S+ < 5000/);
  if (command[0] === 'backfill' && command.includes('--all')) expect(stdout).toMatch(/mod\(.*, 3\) = 1/i);
};

const SNOWFLAKE: Names = {
  legacy: (t) => `ERP.${t.toUpperCase()}`,
  target: (t) => `DLT.${t.toUpperCase()}`,
  view: (t) => `DW.${t.toUpperCase()}_V`,
  col: (c) => c.toUpperCase(),
  types: { int: 'NUMBER(19,0)', text: 'VARCHAR', num: 'NUMBER(12,2)' },
  dialect: 'snowflake',
};

describePlanAnalysis<Phase>({
  engine: 'Snowflake',
  unavailable: analyzerUnavailable(),
  config: `dialect: snowflake
connection:
  account: fakeacct
  username: migrator
  password: \${SF_PASSWORD}
  access_url: "http://127.0.0.1:1"
  database: DB
  schema: MIG
${tables(SNOWFLAKE)}`,
  commands: COMMANDS,
  catalogFor: (phase) => catalogFor(SNOWFLAKE, phase),
  env: { THESEUS_NOW: '1732262400.25', SF_PASSWORD: 'unused' },
  inspect: (r, _phase, command) => inspect(r.stdout, command),
  analyze: (planText, catalogFile) => analyzeDryRun(planText, catalogFile, { defaultDatabase: 'DB', defaultSchema: 'MIG', stateSchema: '_migrate' }),
});

const BIGQUERY: Names = {
  legacy: (t) => `erp.${t}`,
  target: (t) => `dlt.${t}`,
  view: (t) => `dw.${t}_v`,
  col: (c) => c,
  types: { int: 'INT64', text: 'STRING', num: 'NUMERIC(12, 2)' },
  dialect: 'bigquery',
};

describePlanAnalysis<Phase>({
  engine: 'BigQuery',
  unavailable: bigqueryAnalyzerUnavailable(),
  config: `dialect: bigquery
connection:
  project: \${BIGQUERY_PROJECT}
  location: EU
  api_endpoint: "http://127.0.0.1:1"
${tables(BIGQUERY)}`,
  commands: COMMANDS,
  catalogFor: (phase) => catalogFor(BIGQUERY, phase),
  env: { THESEUS_NOW: '1732262400.25', BIGQUERY_PROJECT: 'demo-project' },
  inspect: (r, _phase, command) => inspect(r.stdout, command),
  analyze: (planText, catalogFile) => analyzeBigQueryDryRun(planText, catalogFile, { stateSchema: '_migrate', location: 'EU' }),
});
