import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCatalog } from '../src/catalog/format';
import { cli } from './helpers/warehouse';
import { type Sandbox, openSandbox } from './helpers/engines';
import { loadOrders } from './helpers/ordersFixture';
import { splitDryRun } from './helpers/dryRunSplit';
import { ALLOWLIST, stripCollate, valuesAsSelects } from './helpers/snowflakeAllowlist';
import { SNOWFLAKE_STATE_TYPES, ZETA_KIND, analyzerCatalog, snowflakeType, stateTables } from './helpers/snowflakeCatalog';
import { renderTemplate } from '../src/sql/template';
import { AnalysisError, SnowflakeAnalyzer, analyzeDryRun, analyzerUnavailable, polyglotSyntaxError, unquotedQuotedName } from './helpers/snowflakeAnalyzer';
import { oneLine } from './helpers/printedPlan';

/**
 * The offline Snowflake check (issue 13, tests item 1): the harness itself.
 * Hand-written Snowflake statements of the shapes Theseus will generate must
 * pass, planted mistakes must be rejected, and a Theseus catalog file must map
 * to the analyzer's catalog. The Snowflake dialect's tests call analyzeDryRun
 * on real dry runs once that dialect lands.
 */

/** A Theseus catalog file as `migrate catalog --out` would write it for Snowflake, with mixed-case names. */
const CATALOG_DOC = {
  theseus_catalog: 1,
  dialect: 'snowflake',
  tables: {
    'LEGACY.ORDERS': {
      kind: 'table',
      columns: [
        { name: 'ID', type: 'NUMBER(38,0)', nullable: false },
        { name: 'AMOUNT', type: 'NUMBER(12,2)' },
        { name: 'STATUS', type: 'VARCHAR(16777216)' },
        { name: 'UPDATED_AT', type: 'TIMESTAMP_NTZ(9)' },
        { name: 'PAYLOAD', type: 'VARIANT' },
        { name: 'Customer_Name', type: 'TEXT' },
      ],
      unique_keys: [['ID']],
    },
    'DLT_ERP.ORDERS': {
      columns: [
        { name: 'ID', type: 'NUMBER(38,0)', nullable: false },
        { name: 'AMOUNT', type: 'NUMBER(12,2)' },
        { name: 'STATUS', type: 'VARCHAR' },
        { name: 'UPDATED_AT', type: 'TIMESTAMP_NTZ' },
        { name: 'TAGS', type: 'ARRAY' },
        { name: '_DLT_LOAD_ID', type: 'VARCHAR', nullable: false },
        { name: '_DLT_ID', type: 'VARCHAR', nullable: false },
      ],
      unique_keys: [['ID']],
    },
    // Mixed case, as a quoted CREATE TABLE "Erp"."MixedOrders" ("OrderId" …) leaves it.
    'Erp.MixedOrders': {
      columns: [
        { name: 'OrderId', type: 'BIGINT', nullable: false },
        { name: 'Placed_At', type: 'TIMESTAMP_TZ' },
        { name: 'isPaid', type: 'BOOLEAN' },
        { name: 'Meta', type: 'OBJECT' },
        { name: 'Ratio', type: 'FLOAT' },
        { name: 'Day', type: 'DATE' },
      ],
    },
    // The view before stitch: known not to exist; the CREATE VIEW adds it.
    'REPORTING.ALL_ORDERS': null,
    // No schema: the session's default schema.
    CUSTOMERS: { columns: [{ name: 'ID', type: 'INT' }, { name: 'NAME', type: 'STRING' }] },
  },
  dlt: { orders: { loads_table: 'DLT_ERP._DLT_LOADS' } },
};
const OPTIONS = { defaultDatabase: 'ANALYTICS', defaultSchema: 'PUBLIC', stateSchema: '_migrate' };
const catalog = () => analyzerCatalog(parseCatalog(structuredClone(CATALOG_DOC), 'catalog.json'), OPTIONS);

describe('the analyzer catalog from a Theseus catalog file (no server needed)', () => {
  it('maps Snowflake types to the fork type kinds', () => {
    const kinds = Object.fromEntries(
      ['NUMBER(38,0)', 'NUMBER(12,2)', 'NUMBER', 'DECIMAL(10, 0)', 'INT', 'BIGINT', 'VARCHAR(16777216)', 'TEXT', 'STRING', 'BOOLEAN', 'DATE', 'TIMESTAMP_NTZ(9)', 'timestamp_ltz', 'TIMESTAMP_TZ', 'FLOAT', 'DOUBLE', 'VARIANT', 'OBJECT', 'BINARY(8)'].map((t) => [t, snowflakeType(t).typeKind]),
    );
    expect(kinds).toEqual({
      'NUMBER(38,0)': ZETA_KIND.INT64, 'NUMBER(12,2)': ZETA_KIND.NUMERIC, NUMBER: ZETA_KIND.NUMERIC, 'DECIMAL(10, 0)': ZETA_KIND.INT64, INT: ZETA_KIND.INT64, BIGINT: ZETA_KIND.INT64,
      'VARCHAR(16777216)': ZETA_KIND.STRING, TEXT: ZETA_KIND.STRING, STRING: ZETA_KIND.STRING, BOOLEAN: ZETA_KIND.BOOL, DATE: ZETA_KIND.DATE,
      'TIMESTAMP_NTZ(9)': ZETA_KIND.TIMESTAMP, timestamp_ltz: ZETA_KIND.TIMESTAMP, TIMESTAMP_TZ: ZETA_KIND.TIMESTAMP, FLOAT: ZETA_KIND.DOUBLE, DOUBLE: ZETA_KIND.DOUBLE,
      VARIANT: ZETA_KIND.VARIANT, OBJECT: ZETA_KIND.OBJECT, 'BINARY(8)': ZETA_KIND.BYTES,
    });
    expect(snowflakeType('ARRAY')).toEqual({ typeKind: ZETA_KIND.ARRAY, arrayType: { elementType: { typeKind: ZETA_KIND.VARIANT } } });
    expect(() => snowflakeType('VECTOR(FLOAT, 3)')).toThrow(/unknown Snowflake type/);
  });

  it('nests database → schema → table, adds the default database shortcuts, the ledger tables and _dlt_loads, keeps mixed-case names', () => {
    const proto = catalog().toProto() as any;
    const names = (list: any[] | undefined) => (list ?? []).map((x) => x.name);
    // The one database, then the default database's schemas at the root (for `SCHEMA.TABLE`).
    expect(names(proto.catalog)).toEqual(['ANALYTICS', 'LEGACY', 'DLT_ERP', 'Erp', 'PUBLIC', '_migrate']);
    const db = proto.catalog[0];
    expect(names(db.catalog)).toEqual(['LEGACY', 'DLT_ERP', 'Erp', 'PUBLIC', '_migrate']);
    const erp = db.catalog.find((c: any) => c.name === 'Erp');
    expect(erp.table[0].name).toBe('MixedOrders');
    expect(erp.table[0].column.map((c: any) => [c.name, c.type.typeKind])).toEqual([
      ['OrderId', ZETA_KIND.INT64], ['Placed_At', ZETA_KIND.TIMESTAMP], ['isPaid', ZETA_KIND.BOOL], ['Meta', ZETA_KIND.OBJECT], ['Ratio', ZETA_KIND.DOUBLE], ['Day', ZETA_KIND.DATE],
    ]);
    // A bare ref lives in the default schema, which is also reachable as a bare table at the root.
    expect(names(db.catalog.find((c: any) => c.name === 'PUBLIC').table)).toEqual(['CUSTOMERS']);
    expect(names(proto.table)).toEqual(['CUSTOMERS']);
    // The view (null in the catalog) is not there; dlt's loads table is.
    expect(names(db.catalog.find((c: any) => c.name === 'DLT_ERP').table)).toEqual(['ORDERS', '_DLT_LOADS']);
    expect(names(db.catalog.find((c: any) => c.name === 'REPORTING'))).toEqual([]);
    // Every ledger table of templates/_default/state_tables.sql, with its columns.
    const ledger = db.catalog.find((c: any) => c.name === '_migrate').table;
    expect(names(ledger)).toEqual(stateTables(OPTIONS).map((t) => t.name));
    expect(names(ledger)).toEqual(expect.arrayContaining(['table_phases', 'slices', 'runs', 'locks', 'validations', 'slice_runs']));
    const slices = ledger.find((t: any) => t.name === 'slices').column.map((c: any) => [c.name, c.type.typeKind]);
    expect(slices).toEqual(expect.arrayContaining([['window_start', ZETA_KIND.TIMESTAMP], ['legacy_rows', ZETA_KIND.INT64], ['error', ZETA_KIND.STRING]]));
  });

  it('names the table of a column whose type it cannot map', () => {
    const doc = structuredClone(CATALOG_DOC) as any;
    doc.tables['LEGACY.ORDERS'].columns[1].type = 'MONEY';
    expect(() => analyzerCatalog(parseCatalog(doc, 'catalog.json'), OPTIONS)).toThrow(/catalog\.json: tables\.LEGACY\.ORDERS: unknown Snowflake type "MONEY"/);
  });
});

describe('identifier case, which the fork ignores (no server needed)', () => {
  it('a name defined quoted in lower case and referred to unquoted is caught; quoted both ways, or upper case, passes', () => {
    // The slip verify's window check had: Snowflake reads p.t_h as P.T_H, and "t_h" is stored lower-case.
    expect(unquotedQuotedName('SELECT sum(p.t_h) FROM (SELECT 1 AS "t_h") AS p')).toMatch(/refers unquoted to "t_h"/);
    expect(unquotedQuotedName('SELECT sum(p."t_h") FROM (SELECT 1 AS "t_h") AS p')).toBeUndefined();
    expect(unquotedQuotedName('SELECT sum(p.T_H) FROM (SELECT 1 AS "T_H") AS p')).toBeUndefined();
    // Inside a string literal or a comment it is not a reference.
    expect(unquotedQuotedName(`SELECT 't_h' AS x, p."t_h" FROM (SELECT 1 AS "t_h") AS p -- t_h`)).toBeUndefined();
  });
});

describe('splitting a dry run (a real DuckDB dry run from the CLI; not analyzed)', () => {
  let s: Sandbox;
  let config: string;
  beforeAll(async () => {
    s = await openSandbox('duckdb');
    config = s.writeConfig(await loadOrders(s, { rows: 200 }));
  });
  afterAll(async () => s?.drop());

  const dryRun = (args: string[]) => {
    const out = path.join(s.dir, 'plan.sql');
    const r = cli([...args, '--config', config, '--dry-run', '--out', out]);
    if (r.status !== 0) throw new Error(`migrate ${args.join(' ')} --dry-run exited ${r.status}: ${r.stderr}`);
    return fs.readFileSync(out, 'utf8');
  };

  it('returns each statement once, without comments or `;`, with its unit, intent and bind names', () => {
    const text = dryRun(['stitch']);
    const statements = splitDryRun(text);
    // Every line ending with `;` that is not a comment ends exactly one statement.
    const ends = text.split('\n').filter((l) => !l.startsWith('--') && /;\s*$/.test(l));
    expect(statements.filter((x) => !x.onFailure)).toHaveLength(ends.length);
    for (const st of statements) {
      expect(st.sql).not.toMatch(/;\s*$/);
      expect(st.sql.split('\n').some((l) => l.startsWith('--'))).toBe(false);
      if (!st.onFailure) expect(text).toContain(`${st.sql};\n`);
    }
    expect(statements[0]).toMatchObject({ sql: "SET TimeZone = 'UTC'", unit: "session: the settings migrate's own sessions have", line: 8 });
    expect(statements[1]).toMatchObject({ sql: 'BEGIN', unit: 'ledger: make sure the state schema _migrate exists' });
    expect(statements[2]).toMatchObject({ sql: 'CREATE SCHEMA IF NOT EXISTS "_migrate"', intent: 'Create the state schema if missing' });
    const runLog = statements.find((x) => x.sql.startsWith('INSERT INTO "_migrate".runs'));
    // The run's identity is written as literals: a client can run the file as it is.
    expect(runLog).toMatchObject({ unit: 'ledger: open the run log entry', binds: [] });
    expect(oneLine(runLog?.sql ?? '')).toMatch(/VALUES \('[^']+', 'stitch', /);
    const view = statements.find((x) => x.sql.startsWith('CREATE OR REPLACE VIEW'));
    expect(view?.sql.split('\n').length).toBeGreaterThan(3);
    expect(view?.intent).toMatch(/stitched view/);
  });

  it('returns a unit\'s on-failure statements apart, uncommented', () => {
    // A slice's unit needs a stitched table: stitch for real first (DuckDB, in the sandbox).
    const stitched = cli(['stitch', '--config', config]);
    if (stitched.status !== 0) throw new Error(stitched.stderr);
    const text = dryRun(['backfill', '--month', '2023-06']);
    const statements = splitDryRun(text);
    const failure = statements.filter((x) => x.onFailure);
    expect(failure.length).toBeGreaterThan(0);
    for (const st of failure) {
      expect(st.sql).not.toMatch(/^--/m);
      expect(text).toContain(st.sql.split('\n').map((l) => `--   ${l}`).join('\n'));
    }
    expect(statements.some((x) => !x.onFailure && /^MERGE INTO|^INSERT INTO "dlt_schema"/.test(x.sql))).toBe(true);
  });

  it('refuses text that is not a dry run\'s shape', () => {
    expect(() => splitDryRun('SELECT 1\nFROM t')).toThrow(/no terminating `;`/);
    expect(() => splitDryRun('SELECT 1\n-- a comment\nFROM t;')).toThrow(/comment inside a statement/);
  });
});

const unavailable = analyzerUnavailable();
if (unavailable) {
  if (process.env.CI) test('the Snowflake analyzer is available in CI', () => { throw new Error(`Snowflake analyzer unavailable: ${unavailable}`); });
  else process.stderr.write(`\n!!!!! SKIPPING the Snowflake analyzer tests: ${unavailable}\n`);
}
const withServer = unavailable ? describe.skip : describe;

/** Snowflake in the shapes of the research doc, as the dialect will generate them (hand-written until it lands). */
  const STITCH = `CREATE OR REPLACE VIEW REPORTING.ALL_ORDERS COPY GRANTS AS
SELECT ID, AMOUNT, STATUS, UPDATED_AT, _DLT_LOAD_ID, _DLT_ID, 'dlt' AS SOURCE_FLAG
FROM DLT_ERP.ORDERS
UNION ALL
SELECT a.ID, a.AMOUNT, a.STATUS, a.UPDATED_AT, a._DLT_LOAD_ID, a._DLT_ID, 'legacy' AS SOURCE_FLAG
FROM (
SELECT ID, CAST(AMOUNT AS NUMBER(12,2)) AS AMOUNT, STATUS, UPDATED_AT, CAST(NULL AS VARCHAR) AS _DLT_LOAD_ID, CAST(NULL AS VARCHAR) AS _DLT_ID
FROM LEGACY.ORDERS
) AS a
WHERE NOT EXISTS (SELECT 1 FROM DLT_ERP.ORDERS AS t WHERE t.ID = a.ID)`;
  const SLICE_MERGE = `MERGE INTO DLT_ERP.ORDERS AS t
USING (
SELECT ID, AMOUNT, STATUS, UPDATED_AT FROM LEGACY.ORDERS
WHERE UPDATED_AT >= ?::TIMESTAMP_NTZ AND UPDATED_AT < DATEADD(month, 1, ?::TIMESTAMP_NTZ)
QUALIFY ROW_NUMBER() OVER (PARTITION BY ID ORDER BY UPDATED_AT DESC, STATUS DESC) = 1
) AS s
ON t.ID = s.ID
WHEN MATCHED AND s.UPDATED_AT >= t.UPDATED_AT THEN UPDATE SET AMOUNT = s.AMOUNT, STATUS = s.STATUS, UPDATED_AT = s.UPDATED_AT, _DLT_LOAD_ID = '1732262400.25'
WHEN NOT MATCHED THEN INSERT (ID, AMOUNT, STATUS, UPDATED_AT, _DLT_LOAD_ID, _DLT_ID)
VALUES (s.ID, s.AMOUNT, s.STATUS, s.UPDATED_AT, '1732262400.25', '1732262400.25.' || TO_VARCHAR(s.ID))`;
  const CLAIM = `UPDATE "_migrate".slices SET status = 'running', run_id = ?, started_at = CURRENT_TIMESTAMP(), ended_at = NULL, error = NULL
WHERE table_name = 'orders' AND window_key = '2024-01' AND status IN ('pending', 'failed')`;
  const CHECKSUM = `SELECT TO_CHAR(UPDATED_AT::DATE, 'YYYY-MM-DD') AS DAY, COUNT(*) AS ROW_COUNT, HASH_AGG(ID, AMOUNT, STATUS, UPDATED_AT) AS CHECKSUM
FROM DLT_ERP.ORDERS
WHERE UPDATED_AT >= '2024-01-01'::TIMESTAMP_NTZ AND UPDATED_AT < DATEADD(month, 1, '2024-01-01'::TIMESTAMP_NTZ)
GROUP BY 1
ORDER BY 1`;

withServer('Snowflake statements through the ZetaSQL fork', () => {
  let analyzer: SnowflakeAnalyzer;
  beforeEach(async () => {
    analyzer = await SnowflakeAnalyzer.connect(catalog());
  });
  afterEach(async () => analyzer?.close());

  /** The analyzer's message for one statement that must fail. */
  const rejection = async (sql: string, binds?: string[]) => {
    try {
      await analyzer.analyzeStatements([{ sql, binds }]);
    } catch (err) {
      expect(err).toBeInstanceOf(AnalysisError);
      expect((err as Error).message).toContain(sql); // the statement text is in the message
      return (err as AnalysisError).failures[0].message;
    }
    throw new Error(`accepted: ${sql}`);
  };

  describe('planted mistakes are rejected', () => {
    it('a wrong column', async () => {
      expect(await rejection('MERGE INTO DLT_ERP.ORDERS t USING LEGACY.ORDERS s ON t.ID = s.IDD WHEN NOT MATCHED THEN INSERT (ID) VALUES (s.ID)')).toMatch(/Name IDD not found inside s/);
    });
    it('a string into a timestamp', async () => {
      expect(await rejection("UPDATE DLT_ERP.ORDERS SET UPDATED_AT = 'abc' WHERE ID = 1")).toMatch(/Could not cast literal 'abc' to type TIMESTAMP/);
      expect(await rejection("INSERT INTO DLT_ERP.ORDERS (ID, UPDATED_AT, _DLT_LOAD_ID, _DLT_ID) VALUES (1, 'not a time', '1', 'x')")).toMatch(/Could not cast literal 'not a time' to type TIMESTAMP/);
      expect(await rejection('UPDATE DLT_ERP.ORDERS SET UPDATED_AT = AMOUNT WHERE ID = 1')).toMatch(/NUMERIC cannot be assigned to UPDATED_AT, which has type TIMESTAMP/);
    });
    it('a bind of the wrong type, when the bind types are given', async () => {
      expect(await rejection('SELECT ID FROM LEGACY.ORDERS WHERE UPDATED_AT >= ?', ['BOOLEAN'])).toMatch(/No matching signature for operator >=.*TIMESTAMP, BOOL/);
    });
    it('a UNION column-count mismatch, and a UNION type mismatch', async () => {
      expect(await rejection('SELECT ID, AMOUNT FROM DLT_ERP.ORDERS UNION ALL SELECT ID, STATUS, STATUS FROM LEGACY.ORDERS')).toMatch(/mismatched column count/);
      expect(await rejection('SELECT ID, UPDATED_AT FROM DLT_ERP.ORDERS UNION ALL SELECT ID, AMOUNT FROM LEGACY.ORDERS')).toMatch(/Column 2 in UNION ALL has incompatible types: TIMESTAMP, NUMERIC/);
    });
    it('IFF with 2 arguments', async () => {
      expect(await rejection("SELECT IFF(STATUS = 'x', 1) FROM DLT_ERP.ORDERS")).toMatch(/Number of arguments does not match for function IFF/);
    });
    it('an ambiguous column', async () => {
      expect(await rejection('SELECT ID FROM DLT_ERP.ORDERS o JOIN LEGACY.ORDERS l ON o.ID = l.ID')).toMatch(/Column name ID is ambiguous/);
    });
    it('a wrong column inside an allowlisted COPY GRANTS view (analyzed without COPY GRANTS)', async () => {
      expect(await rejection('CREATE OR REPLACE VIEW REPORTING.ALL_ORDERS COPY GRANTS AS SELECT ID, TOTAL FROM DLT_ERP.ORDERS')).toMatch(/Unrecognized name: TOTAL.*normalized for COPY GRANTS/);
    });
    it('an allowlisted shape with a syntax error (polyglot rejects it)', async () => {
      expect(await rejection("ALTER SESSION SET TIMEZONE 'UTC'")).toMatch(/allowlisted \(ALTER SESSION.*polyglot rejects it/);
      expect(await polyglotSyntaxError('ALTER TABLE A SWAPP WITH B')).toBeDefined();
    });
    it('valid Snowflake the fork lacks, but not allowlisted (COUNT_IF): still a failure', async () => {
      expect(await rejection("SELECT COUNT_IF(STATUS = 'x') FROM DLT_ERP.ORDERS")).toMatch(/COUNT_IF/i);
    });
    it('every failing statement of a batch, each with its message', async () => {
      const err = await analyzer.analyzeStatements(['SELECT NOPE FROM LEGACY.ORDERS', 'SELECT 1', { sql: 'SELECT ID FROM NOWHERE.T', label: 'step 3' }]).catch((e) => e);
      expect(err).toBeInstanceOf(AnalysisError);
      expect(err.failures.map((f: any) => f.message)).toEqual([expect.stringMatching(/Unrecognized name: NOPE/), expect.stringMatching(/Table not found: NOWHERE.T/)]);
      expect(err.message).toMatch(/--- step 3: Table not found/);
    });
  });

  describe('well-formed statements of the shapes Theseus will generate are accepted', () => {
    it('a whole sequence: session, stitched view with COPY GRANTS, its distribution, a slice MERGE, the claim, the checksum, the clone, the rename', async () => {
      const results = await analyzer.analyzeStatements([
        "ALTER SESSION SET TIMEZONE = 'UTC'",
        "ALTER SESSION SET QUERY_TAG = 'theseus:backfill:orders:2024-01'",
        'BEGIN',
        STITCH,
        // Reads the view the statement before created (the analyzer's catalog follows creates).
        'SELECT SOURCE_FLAG, COUNT(*) AS ROW_COUNT FROM REPORTING.ALL_ORDERS GROUP BY SOURCE_FLAG ORDER BY SOURCE_FLAG',
        'COMMIT',
        'BEGIN TRANSACTION',
        CLAIM,
        SLICE_MERGE,
        'COMMIT',
        CHECKSUM,
        'CREATE TABLE LEGACY.ORDERS__SNAPSHOT_20240101 CLONE LEGACY.ORDERS',
        'ALTER TABLE LEGACY.ORDERS RENAME TO LEGACY.ORDERS__RETIRED_20240101',
        'SELECT COUNT(*) FROM LEGACY.ORDERS__RETIRED_20240101 r JOIN LEGACY.ORDERS__SNAPSHOT_20240101 s ON r.ID = s.ID',
        'ROLLBACK',
      ]);
      expect(results.map((r) => [r.outcome, r.allowlist ?? r.node])).toEqual([
        ['allowlisted', 'ALTER SESSION'],
        ['allowlisted', 'ALTER SESSION'],
        ['analyzed', 'resolvedBeginStmtNode'],
        ['allowlisted', 'COPY GRANTS'],
        ['analyzed', 'resolvedQueryStmtNode'],
        ['analyzed', 'resolvedCommitStmtNode'],
        ['analyzed', 'resolvedBeginStmtNode'],
        ['analyzed', 'resolvedUpdateStmtNode'],
        ['analyzed', 'resolvedMergeStmtNode'],
        ['analyzed', 'resolvedCommitStmtNode'],
        ['analyzed', 'resolvedQueryStmtNode'],
        ['analyzed', 'resolvedCreateStatementNode'],
        ['analyzed', 'resolvedAlterObjectStmtNode'],
        ['analyzed', 'resolvedQueryStmtNode'],
        ['analyzed', 'resolvedRollbackStmtNode'],
      ]);
      // The renamed legacy is gone under its old name.
      await expect(analyzer.analyzeStatements(['SELECT ID FROM LEGACY.ORDERS'])).rejects.toThrow(/Table not found: LEGACY.ORDERS/);
    });

    it('mixed-case names, quoted or not, in the default database and schema; binds typed explicitly', async () => {
      const results = await analyzer.analyzeStatements([
        'SELECT "OrderId", "Placed_At", "isPaid", "Meta", "Day" FROM "Erp"."MixedOrders" WHERE "Ratio" > 0.5',
        'SELECT orderid FROM analytics.erp.mixedorders',
        'SELECT c.NAME FROM CUSTOMERS c JOIN PUBLIC.CUSTOMERS p ON c.ID = p.ID',
        { sql: 'SELECT ID FROM LEGACY.ORDERS WHERE UPDATED_AT >= ? AND STATUS = ? AND "Customer_Name" IS NOT NULL', binds: ['TIMESTAMP_NTZ', 'VARCHAR'] },
        "SELECT PAYLOAD:customer.id::STRING, TAGS[0] FROM LEGACY.ORDERS l JOIN DLT_ERP.ORDERS t USING (ID)",
      ]);
      expect(results.every((r) => r.outcome === 'analyzed')).toBe(true);
    });

    it('the ledger: its DDL with Snowflake type parameters (allowlisted), a run log insert with binds, dlt\'s load registration', async () => {
      const results = await analyzer.analyzeStatements([
        'CREATE SCHEMA IF NOT EXISTS "_migrate"',
        'CREATE TABLE IF NOT EXISTS "_migrate".locks (table_name VARCHAR NOT NULL PRIMARY KEY, run_id VARCHAR NOT NULL, command VARCHAR, operator VARCHAR, acquired_at TIMESTAMP_TZ(9) NOT NULL, expires_at TIMESTAMP_TZ(9), renewals NUMBER(38,0))',
        "INSERT INTO \"_migrate\".runs (run_id, command, arguments, tool_version, operator, started_at, outcome) VALUES (?, ?, ?, ?, ?, CURRENT_TIMESTAMP(), 'running')",
        "UPDATE \"_migrate\".slices SET status = 'done', legacy_rows = ?, rows_inserted = ?, rows_updated = ?, ended_at = CURRENT_TIMESTAMP() WHERE table_name = 'orders' AND window_key = '2024-01' AND run_id = ?",
        "INSERT INTO DLT_ERP._DLT_LOADS (load_id, schema_name, status, inserted_at, schema_version_hash) SELECT '1732262400.25', 'erp', 0, CURRENT_TIMESTAMP(), 'abc' FROM (SELECT 1 AS one) AS x WHERE ? = 1",
        'ALTER TABLE DLT_ERP.ORDERS SWAP WITH LEGACY.ORDERS',
        // After the swap, legacy has the target's columns.
        'SELECT _DLT_ID FROM LEGACY.ORDERS',
      ]);
      expect(results.map((r) => r.allowlist ?? r.outcome)).toEqual(['analyzed', 'type parameters', 'analyzed', 'analyzed', 'analyzed', 'SWAP WITH', 'analyzed']);
    });
  });

  it('the ledger\'s own DDL, state_tables.sql rendered with Snowflake types, analyzes (NUMBER(38,0) through the DDL entry)', async () => {
    const ddl = renderTemplate(['snowflake'], 'state_tables', { state: '"_migrate"', ...SNOWFLAKE_STATE_TYPES });
    const results = await analyzer.analyzeStatements(ddl);
    expect(results).toHaveLength(ddl.length);
    expect(new Set(results.map((r) => r.allowlist ?? r.outcome))).toEqual(new Set(['analyzed', 'type parameters']));
  });

  it('follows what statements create, rename and drop, for the statements after them', async () => {
    await analyzer.analyzeStatements([
      'CREATE TABLE LEGACY.SCRATCH (A NUMBER(38,0), B TIMESTAMP_NTZ(9))',
      // A bare new name moves the table into the session's schema, as Snowflake does.
      'ALTER TABLE LEGACY.SCRATCH RENAME TO SCRATCH_OLD',
      'SELECT A, B FROM PUBLIC.SCRATCH_OLD',
      'SELECT A FROM SCRATCH_OLD',
      'DROP TABLE SCRATCH_OLD',
    ]);
    expect(await rejection('SELECT A FROM LEGACY.SCRATCH_OLD')).toMatch(/Table not found: LEGACY.SCRATCH_OLD/);
    expect(await rejection('SELECT A FROM PUBLIC.SCRATCH_OLD')).toMatch(/Table not found: PUBLIC.SCRATCH_OLD/);
  });

  it('what the fork lets through: known blind spots (golden SQL and the live suite cover them)', async () => {
    // Snowflake casts VARCHAR to TIMESTAMP implicitly, and so does the fork; quoted names match any case
    // (real Snowflake: "id" is not ID); NTZ and TZ are one TIMESTAMP kind.
    const results = await analyzer.analyzeStatements([
      'UPDATE DLT_ERP.ORDERS t SET UPDATED_AT = s.STATUS FROM LEGACY.ORDERS s WHERE t.ID = s.ID',
      'SELECT "id" FROM LEGACY.ORDERS',
      'SELECT UPDATED_AT FROM DLT_ERP.ORDERS UNION ALL SELECT "Placed_At" FROM "Erp"."MixedOrders"',
    ]);
    expect(results.every((r) => r.outcome === 'analyzed')).toBe(true);
    // And it differs from Snowflake here: MD5 is BYTES (Snowflake: a hex VARCHAR; excused by the allowlist and
    // analyzed as TO_HEX(MD5(…))), UPDATE needs a WHERE.
    const [md5] = await analyzer.analyzeStatements(["UPDATE DLT_ERP.ORDERS SET _DLT_ID = MD5('x') WHERE ID = 1"]);
    expect(md5.allowlist).toBe('MD5 is text');
    expect(await rejection("UPDATE \"_migrate\".locks SET run_id = 'x'")).toMatch(/UPDATE must have a WHERE clause/);
  });

  it("COLLATE(expr, 'utf8') is analyzed as the bare expression, its own parentheses, commas and quotes kept", () => {
    expect(stripCollate(`SELECT COLLATE(CAST("A" AS VARCHAR), 'utf8') DESC, COLLATE(concat('x,(', "B"), 'utf8') FROM T`)).toBe(`SELECT CAST("A" AS VARCHAR) DESC, concat('x,(', "B") FROM T`);
  });

  it('a VALUES table is analyzed as SELECTs joined by UNION ALL, the first naming the columns', () => {
    expect(valuesAsSelects(`USING (SELECT * FROM (VALUES ('a', 1, 'x,(y'), ('b', 2, NULL)) AS v (name, n, s)) AS s ON`)).toBe(
      `USING (SELECT * FROM (SELECT 'a' AS name, 1 AS n, 'x,(y' AS s UNION ALL SELECT 'b', 2, NULL) AS v) AS s ON`,
    );
  });

  it('the allowlist is short and each entry names its gap', () => {
    expect(ALLOWLIST.map((a) => a.name)).toEqual(['COPY GRANTS', 'ALTER SESSION', 'SWAP WITH', 'BEGIN … NAME', 'type parameters', 'MD5 is text', 'VALUES in FROM', 'integer NUMBER', 'MD5_NUMBER_UPPER64', 'COLLATE()']);
    for (const a of ALLOWLIST) expect(a.why).toMatch(/fork/);
  });

  it('analyzeDryRun: a dry-run text and a catalog file (the Snowflake dialect\'s entry point)', async () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'theseus-sf-'));
    try {
      const file = path.join(dir, 'catalog.json');
      fs.writeFileSync(file, JSON.stringify(CATALOG_DOC));
      // Hand-written in the dry run's format until the dialect prints it.
      const text = `-- Theseus 0.1.0: migrate stitch (snowflake)
-- Statements in BEGIN … COMMIT run as one transaction.

-- == orders: stitch ==
-- Set the session's time zone
ALTER SESSION SET TIMEZONE = 'UTC';
BEGIN;
-- Create or replace the stitched view orders
${STITCH};
-- Assert and show the view's source distribution
-- expect: only 'legacy' and 'dlt'
SELECT SOURCE_FLAG, COUNT(*) AS ROW_COUNT
FROM REPORTING.ALL_ORDERS
GROUP BY SOURCE_FLAG;
-- Record the slice
-- bound: ? = runId
${CLAIM};
COMMIT;
-- If this unit fails: ROLLBACK, then record the failure:
-- Mark the slice failed
-- bound: ? = error, ? = runId
--   UPDATE "_migrate".slices SET status = 'failed', error = ?, ended_at = CURRENT_TIMESTAMP()
--   WHERE table_name = 'orders' AND window_key = '2024-01' AND run_id = ?;
`;
      const results = await analyzeDryRun(text, file, OPTIONS);
      expect(results.map((r) => r.allowlist ?? r.node)).toEqual([
        'ALTER SESSION', 'resolvedBeginStmtNode', 'COPY GRANTS', 'resolvedQueryStmtNode', 'resolvedUpdateStmtNode', 'resolvedCommitStmtNode', 'resolvedUpdateStmtNode',
      ]);
      await expect(analyzeDryRun(text.replace('SOURCE_FLAG, COUNT(*)', 'SOURCE_FLAGG, COUNT(*)'), file, OPTIONS)).rejects.toThrow(/line 21, orders: stitch: Assert and show the view's source distribution: Unrecognized name: SOURCE_FLAGG/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
