import { readCatalogFile } from '../../src/catalog/file';
import { ALLOWLIST, type AllowlistEntry } from './snowflakeAllowlist';
import { type AnalyzerCatalog, type CatalogOptions, analyzerCatalog, snowflakeType } from './snowflakeCatalog';
import { AnalysisError, isCountBind, learnFrom, statementLabel } from './zetaResolved';
import { splitDryRun } from './dryRunSplit';
import { ANALYZER_PACKAGE, MISSING_ENV, PORT_ENV } from './zetasqlServer';

/** ZetaSQL type kinds: FLOAT is 32-bit, DOUBLE 64-bit (zetasql/public/type.proto). */
const ZETA_FLOAT = 6;
const ZETA_DOUBLE = 7;

/**
 * Offline check of Snowflake SQL: every statement analyzed by Fivetran's
 * ZetaSQL fork (names, types, function signatures, UNION shapes, MERGE
 * targets) against a catalog built from a Theseus catalog file. The server is
 * started once per jest run by globalSetup.ts; a test file connects with
 * `SnowflakeAnalyzer.connect()` (or skips: see `analyzerUnavailable()`).
 *
 * The fork is an analyzer, not Snowflake: it does not see runtime rules (a
 * MERGE matching a target row twice, unenforced keys, DDL committing a
 * transaction), treats quoted names case-insensitively and has one TIMESTAMP
 * kind. Treat a pass as "would compile".
 */

// The package's generated gRPC types are loose: only what is used is typed here, the resolved AST stays `any`.
type Client = {
  testConnection(): Promise<boolean>;
  getLanguageOptions(r: { maximumFeatures: boolean }): Promise<any>;
  registerCatalog(r: { simpleCatalog: unknown }): Promise<any>;
  unRegisterCatalog(r: { registeredId: unknown }): Promise<any>;
  analyze(r: unknown): Promise<any>;
};

/** Why the analyzer cannot run, when the global setup could not start it outside CI (the tests then skip loudly). */
export function analyzerUnavailable(): string | undefined {
  return process.env[PORT_ENV] ? undefined : (process.env[MISSING_ENV] ?? `${PORT_ENV} is not set: run jest with jest.config.js, whose globalSetup starts the server`);
}

export interface AnalyzedStatement {
  sql: string;
  /** 'analyzed': the fork resolved it; 'allowlisted': excused by ALLOWLIST[…] and checked by polyglot (and normalized, where the entry can). */
  outcome: 'analyzed' | 'allowlisted';
  /** The resolved statement's kind, e.g. resolvedMergeStmtNode. */
  node?: string;
  allowlist?: string;
  /** For allowlisted statements: the analyzer's message that the entry excused. */
  excused?: string;
}

export interface StatementInput {
  sql: string;
  /** Where it came from, for messages (a dry run's unit and intent). */
  label?: string;
  /**
   * Types of the `?` binds, in order (Snowflake type names). Without them the
   * analyzer infers each bind's type from where it stands.
   */
  binds?: string[];
}

export { AnalysisError };

let polyglot: Promise<typeof import('@polyglot-sql/sdk')> | undefined;
/** @polyglot-sql/sdk's WASM needs init() once per process. */
function loadPolyglot() {
  polyglot ??= (async () => {
    const p = await import('@polyglot-sql/sdk');
    await p.init();
    return p;
  })();
  return polyglot;
}

/** polyglot's Snowflake syntax check: undefined when valid, else its first error. */
export async function polyglotSyntaxError(sql: string): Promise<string | undefined> {
  const p = await loadPolyglot();
  const r = p.validate(sql, 'snowflake');
  return r.valid ? undefined : r.errors.map((e: { message: string; line?: number; column?: number }) => `${e.message} [at ${e.line}:${e.column}]`).join('; ');
}

/** One client and language options per worker process: the package's client is a singleton per port anyway. */
let connection: { port: number; client: Client; languageOptions: any } | undefined;

export class SnowflakeAnalyzer {
  private registeredId: unknown;
  private dirty = true;

  private constructor(
    private readonly client: Client,
    private readonly languageOptions: any,
    readonly catalog: AnalyzerCatalog,
  ) {}

  /** Connects to the server the global setup started (its port from env) and registers `catalog`. */
  static async connect(catalog: AnalyzerCatalog, port = Number(process.env[PORT_ENV])): Promise<SnowflakeAnalyzer> {
    if (!port) throw new Error(analyzerUnavailable());
    if (connection?.port !== port) {
      // The package's client is a per-process singleton dialing localhost:<port> (loopback only).
      const { ZetaSQLClient } = require(ANALYZER_PACKAGE) as { ZetaSQLClient: { init(port: number): void; getInstance(): Client } };
      ZetaSQLClient.init(port);
      const client = ZetaSQLClient.getInstance();
      if (!(await client.testConnection())) throw new Error(`cannot reach the ZetaSQL server on localhost:${port}`);
      // Maximum features as the research tried them, plus CLONE, which max features leaves out; all statement kinds.
      const lang = await client.getLanguageOptions({ maximumFeatures: true });
      lang.supportedStatementKinds = [];
      if (!lang.enabledLanguageFeatures.includes('FEATURE_CREATE_TABLE_CLONE')) lang.enabledLanguageFeatures.push('FEATURE_CREATE_TABLE_CLONE');
      connection = { port, client, languageOptions: lang };
    }
    const { client, languageOptions: lang } = connection;
    return new SnowflakeAnalyzer(client, lang, catalog);
  }

  /** Unregisters the catalog (the server itself is the global teardown's). */
  async close(): Promise<void> {
    if (this.registeredId !== undefined) await this.client.unRegisterCatalog({ registeredId: this.registeredId }).catch(() => undefined);
    this.registeredId = undefined;
  }

  private async catalogId(): Promise<unknown> {
    if (this.dirty) {
      await this.close();
      const simpleCatalog = { ...this.catalog.toProto(), builtinFunctionOptions: { languageOptions: this.languageOptions } };
      this.registeredId = (await this.client.registerCatalog({ simpleCatalog })).registeredId;
      this.dirty = false;
    }
    return this.registeredId;
  }

  /**
   * One statement through the fork. Resolves with the resolved statement, or
   * rejects with the analyzer's one-line message ("… [at line:col]").
   */
  async analyzeOne(sql: string, binds?: string[]): Promise<any> {
    // Snowflake writes a quote inside a literal doubled ('it''s') or backslashed ('it\'s'), which mean the same; the
    // fork's lexer (GoogleSQL's) knows only the second, so the doubled form is handed to it as the backslashed one.
    const text = sql
      .trim()
      .replace(/;\s*$/, '')
      .replace(/'((?:[^'\\]|\\.|'')*)'/g, (_m, inner: string) => `'${inner.replace(/''/g, "\\'")}'`);
    const hasBinds = binds !== undefined ? binds.length > 0 : /\?/.test(text.replace(/'(?:[^'\\]|\\.|'')*'/g, "''"));
    const options = {
      languageOptions: this.languageOptions,
      errorMessageMode: 'ERROR_MESSAGE_ONE_LINE',
      ...(hasBinds
        ? {
            parameterMode: 'PARAMETER_POSITIONAL',
            ...(binds ? { positionalQueryParameters: binds.map(snowflakeType) } : { allowUndeclaredParameters: true }),
          }
        : {}),
    };
    try {
      const r = await this.client.analyze({ sqlStatement: text, registeredCatalogId: await this.catalogId(), options });
      return r.resolvedStatement;
    } catch (err) {
      const e = err as { details?: string; message: string };
      throw new Error(e.details || e.message);
    }
  }

  /** Keeps the catalog in step with what an analyzed statement creates, replaces, renames or drops. */
  private learn(resolved: any): void {
    // A bare new name lands in the session's schema, not the table's (Snowflake; dbt-snowflake #1060 qualifies it for that reason).
    // A column declared FLOAT (the pre-image table copies the target's types) is ZetaSQL's 32-bit FLOAT, Snowflake's 64-bit.
    if (learnFrom(resolved, this.catalog, (_from, to) => to, (t) => (t.typeKind === ZETA_FLOAT ? { typeKind: ZETA_DOUBLE } : t))) this.dirty = true;
  }

  /**
   * Every statement must analyze, or be excused by an ALLOWLIST entry (its
   * pattern and the gap's message both match) and pass polyglot's Snowflake
   * syntax check, and its normalized form (if any) must analyze. Statements are
   * taken in order: what one creates, later ones can read. Throws an
   * AnalysisError naming each failing statement with the analyzer's message.
   */
  async analyzeStatements(statements: Array<string | StatementInput>): Promise<AnalyzedStatement[]> {
    const results: AnalyzedStatement[] = [];
    const failures: Array<{ sql: string; label?: string; message: string }> = [];
    for (const input of statements) {
      const { sql, label, binds } = typeof input === 'string' ? { sql: input, label: undefined, binds: undefined } : input;
      const fail = (message: string) => failures.push({ sql, label, message });
      // The fork treats quoted names case-insensitively, as Snowflake does not: checked apart.
      const caseSlip = unquotedQuotedName(sql);
      if (caseSlip) fail(caseSlip);
      // A statement may hold several gaps (a COPY GRANTS view whose body casts to TIMESTAMP_TZ(6)): each excused
      // gap's normalization is applied in turn, until the fork analyzes what is left or a gap is not excused.
      let current = sql;
      const applied: AllowlistEntry[] = [];
      for (;;) {
        try {
          const resolved = await this.analyzeOne(current, binds);
          this.learn(resolved);
          results.push(applied.length ? { sql, outcome: 'allowlisted', node: resolved?.node, allowlist: applied.map((a) => a.name).join(' + '), excused: applied.map((a) => a.why).join('; ') } : { sql, outcome: 'analyzed', node: resolved?.node });
          break;
        } catch (err) {
          const message = (err as Error).message;
          const entry = ALLOWLIST.find((a) => !applied.includes(a) && a.statement.test(current) && a.error.test(message));
          if (!entry) {
            fail(applied.length ? `${message} (analyzing it normalized for ${applied.map((a) => a.name).join(' + ')})` : message);
            break;
          }
          if (applied.length === 0) {
            const syntax = await polyglotSyntaxError(sql);
            if (syntax) {
              fail(`allowlisted (${entry.name}: ${message}) but polyglot rejects it: ${syntax}`);
              break;
            }
          }
          applied.push(entry);
          if (!entry.normalize) {
            if (entry.effect?.(sql, this.catalog)) this.dirty = true;
            results.push({ sql, outcome: 'allowlisted', allowlist: applied.map((a) => a.name).join(' + '), excused: message });
            break;
          }
          current = entry.normalize(current);
        }
      }
    }
    if (failures.length) throw new AnalysisError(failures);
    return results;
  }
}

/**
 * A name the statement defines quoted with lower-case letters (`AS "t_h"`), then refers to unquoted (`p.t_h`):
 * Snowflake reads the unquoted one upper-case (T_H), which the quoted one is not, so the statement fails on an
 * account while the fork, which ignores quote case, resolves it. Undefined when there is none.
 */
export function unquotedQuotedName(sql: string): string | undefined {
  const defined = new Set([...sql.matchAll(/\bAS\s+"([A-Za-z_][A-Za-z0-9_$]*)"/g)].map((m) => m[1]).filter((n) => n !== n.toUpperCase()));
  if (!defined.size) return undefined;
  // What is left once quoted names, string literals and comments are taken out is what Snowflake upper-cases.
  const bare = sql.replace(/"(?:[^"]|"")*"/g, ' ').replace(/'(?:[^'\\]|\\.|'')*'/g, ' ').replace(/--[^\n]*/g, ' ');
  const slips = [...defined].filter((name) => new RegExp(`(^|[^A-Za-z0-9_$"])${name.replace(/\$/g, '\\$')}(?![A-Za-z0-9_$"])`).test(bare));
  return slips.length ? `refers unquoted to ${slips.map((n) => `"${n}"`).join(', ')}, defined quoted: Snowflake reads the unquoted name upper-case and will not find it` : undefined;
}

export interface DryRunOptions extends Partial<CatalogOptions> {
  /** Analyze the statements a unit runs only when it fails (the "If this unit fails" block). Default true. */
  includeOnFailure?: boolean;
}

/**
 * THE entry point for the Snowflake dialect's tests: analyze every statement
 * of a `migrate … --dry-run --catalog FILE` output against that same catalog.
 *
 *   const text = cli(['backfill', '--all', '--dry-run', '--catalog', file, '--config', cfg]).stdout;
 *   const results = await analyzeDryRun(text, file, { defaultDatabase: 'DB', defaultSchema: 'PUBLIC', stateSchema: '_migrate' });
 *   // throws AnalysisError listing each statement that neither analyzes nor is allowlisted
 *
 * `catalogFile` is what `migrate catalog --out` writes (JSON or YAML).
 * defaultDatabase/defaultSchema are the connection's database and schema: refs
 * written `schema.table` live in that database, bare `table` in that schema
 * (defaults: DB, PUBLIC). stateSchema is the config's state_schema (default
 * _migrate). The statements are split with splitDryRun (comments and intents
 * dropped; `bound:` lines only mark that `?` binds follow, whose types the
 * analyzer infers). Tables a statement creates (the view, the clone, the
 * ledger) are added for later statements; renames and drops followed.
 * Needs the server from globalSetup.ts: guard the suite with
 * `analyzerUnavailable()` as test/snowflakeAnalyzer.test.ts does.
 */
export async function analyzeDryRun(dryRunText: string, catalogFile: string, options: DryRunOptions = {}): Promise<AnalyzedStatement[]> {
  const catalogOptions: CatalogOptions = { defaultDatabase: 'DB', defaultSchema: 'PUBLIC', ...options };
  const analyzer = await SnowflakeAnalyzer.connect(analyzerCatalog(readCatalogFile(catalogFile), catalogOptions));
  try {
    const statements = splitDryRun(dryRunText)
      .filter((s) => options.includeOnFailure !== false || !s.onFailure)
      .map((s) => ({ sql: s.sql, binds: s.binds.length ? s.binds.map(bindType) : undefined, label: statementLabel(s) }));
    return await analyzer.analyzeStatements(statements);
  } finally {
    await analyzer.close();
  }
}

/**
 * The Snowflake type of a bound value, by the name the dry run prints in its `-- bound:` line: counts are
 * numbers, everything else (run ids, statuses, checksums kept as text, JSON) text. The fork cannot infer a
 * bind's type where it only feeds a column (it guesses INT64), so the dry run's names decide.
 */
export function bindType(name: string): string {
  return isCountBind(name) ? 'NUMBER(38,0)' : 'VARCHAR';
}
