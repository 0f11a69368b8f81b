import type { AlignedColumn } from '../align/alignment';
import { type Window, monthKey } from '../backfill/windows';
import { usageError } from '../errors';
import { typeShape } from '../align/narrowing';
import { type NormalizeRule, classifyType, decimalAt, metricValue, normalizeRule, normalizedText, rowChecksumSql } from '../verify/normalize';
import type { Tolerance } from '../verify/settings';
import { assertionError } from '../errors';
import { windowKeysMissing } from '../lifecycle/assertions';
import type { LedgerWriter } from '../ledger/writes';
import { type WindowResult, absoluteTolerance, describeFailures, formatScaled, percentText, readWindowCheck } from '../verify/outcome';
import type { Step, Vars } from './types';
import { targetWindowPredicate, windowPredicate } from './windowPredicate';
import { type Projection, type TableContext, anyNull, cursorOf, keyNames, legacyCursorUtc, legacyRowsSql, rawKeyNotNull, renderFor, targetCursorDay } from './tableContext';

/**
 * What verify compares for one table, and the SQL it compares with. Both
 * sides are reduced to the same things per row: the key (in the target's
 * types, for joining), the UTC day of the cursor, a 60-bit checksum of the
 * normalized compared columns, and each metric at a fixed scale.
 */
export interface ComparedColumn {
  column: AlignedColumn;
  rule: NormalizeRule;
}

export interface MetricColumn {
  column: AlignedColumn;
  /** Sums are taken and compared at this scale (the column's normalization scale). */
  scale: number;
}

export interface VerifySpec {
  ctx: TableContext;
  compared: ComparedColumn[];
  metrics: MetricColumn[];
  tolerance: Tolerance;
  /** Target columns left out: dlt's, those with no legacy source, and verify.ignore. */
  excluded: string[];
}

/** A column's normalization rule, from the types of its two sides (legacy's as read, the target's). */
const ruleFor = (column: AlignedColumn): NormalizeRule =>
  // A narrowing the config accepts is compared at the target's type: legacy's value as the backfill casts it.
  column.allowNarrowing ? { ...normalizeRule(column.target.type, column.target.type), legacyAligned: true } : normalizeRule(column.rawType ?? column.target.type, column.target.type);

/** The compared columns and metrics of a table, from its alignment and its `verify:` section. */
export function verifySpec(ctx: TableContext): VerifySpec {
  const settings = ctx.table.verify;
  const where = `tables.${ctx.table.id}.verify`;
  const byName = (name: string, key: string): AlignedColumn => {
    const found = ctx.alignment.columns.find((c) => c.target.name.toLowerCase() === name.toLowerCase());
    if (!found) throw usageError('CONFIG_INVALID', `${where}.${key} names ${name}, which is not a column of the target`, `target columns: ${ctx.alignment.columns.map((c) => c.target.name).join(', ')}`);
    return found;
  };
  const ignored = new Set(settings.ignore.map((name) => byName(name, 'ignore')));
  for (const k of ctx.alignment.key) {
    if (ignored.has(k)) throw usageError('CONFIG_INVALID', `${where}.ignore names the key column ${k.target.name}`, 'the key is what rows are matched on; it cannot be left out');
  }
  const compared = ctx.alignment.columns
    .filter((c) => c.role === 'mapped' && !ignored.has(c))
    .map((column) => ({ column, rule: ruleFor(column) }));
  const metrics = settings.sums.map((name) => {
    const column = byName(name, 'sums');
    const rule = ruleFor(column);
    const numeric = (type: string) => ['integer', 'decimal', 'float'].includes(classifyType(type).kind);
    if (column.role !== 'mapped' || !numeric(column.target.type) || !(rule.legacyAligned || numeric(column.rawType ?? column.target.type))) {
      throw usageError('CONFIG_INVALID', `${where}.sums names ${name}, which is not a number fed from legacy`, 'name numeric target columns, e.g. sums: [amount]');
    }
    return { column, scale: rule.scale ?? 0 };
  });
  return {
    ctx,
    compared,
    metrics,
    tolerance: settings.tolerance,
    excluded: ctx.alignment.columns.filter((c) => !compared.some((x) => x.column === c)).map((c) => c.target.name),
  };
}

/** Which side a projection reads: legacy's own columns, or the target's (optionally through an alias). */
type Side = { side: 'legacy' } | { side: 'target'; alias?: string };

/** The names verify's projections come out as (fixed, quoted by the dialect; chosen not to clash with dlt's). */
function names(spec: VerifySpec) {
  const q = (n: string) => spec.ctx.dialect.quoteIdent(n);
  return {
    key: spec.ctx.alignment.key.map((_, i) => q(`_v_k${i}`)),
    day: q('_v_day'),
    hash: q('_v_h'),
    updated: q('_v_u'),
    metric: spec.metrics.map((_, i) => q(`_v_m${i}`)),
    normalized: spec.compared.map((_, i) => q(`_v_c${i}`)),
    shown: spec.compared.map((_, i) => q(`_v_r${i}`)),
  };
}

/** One column's value on a side: legacy's raw expression (or its aligned one where the rule says so), or the target's column. */
function valueOf(spec: VerifySpec, column: AlignedColumn, rule: NormalizeRule | undefined, side: Side): string {
  if (side.side === 'target') return `${side.alias ? `${side.alias}.` : ''}${spec.ctx.dialect.quoteIdent(column.target.name)}`;
  if (rule?.legacyAligned) return column.legacySql;
  // A time read as UTC microseconds: legacy's wall time in its own zone is first made a UTC one.
  return rule?.kind === 'utc_micros' && column.utcLegacySql ? column.utcLegacySql : column.rawLegacySql!;
}

/**
 * A side's per-row expressions: key, day, checksum, updated_at, metrics; with `columns`, each compared column
 * normalized and as shown. With `fieldsForRowSet` (the fast pass on an engine with its own rowSetChecksum) the
 * normalized columns stand in for the row's checksum, which the engine's aggregate computes from them.
 */
function projection(spec: VerifySpec, side: Side, options: ProjectionOptions = {}): Projection & { keyAliases: string[] } {
  // The same for every window of a table, and asked by several statements of each: built once per spec (a dry run of
  // 6,000 windows built it 30,000 times). Each caller gets its own arrays.
  let built = projections.get(spec);
  if (!built) projections.set(spec, (built = new Map()));
  const key = `${side.side}\u0000${side.side === 'target' ? (side.alias ?? '') : ''}\u0000${Boolean(options.columns)}\u0000${Boolean(options.fieldsForRowSet)}`;
  let p = built.get(key);
  if (!p) built.set(key, (p = buildProjection(spec, side, options)));
  return { names: [...p.names], exprs: [...p.exprs], keyAliases: [...p.keyAliases] };
}

type ProjectionOptions = { columns?: boolean; fieldsForRowSet?: boolean };
const projections = new WeakMap<VerifySpec, Map<string, Projection & { keyAliases: string[] }>>();

function buildProjection(spec: VerifySpec, side: Side, options: ProjectionOptions): Projection & { keyAliases: string[] } {
  const { ctx } = spec;
  const d = ctx.dialect;
  const n = names(spec);
  const out: Projection = { names: [], exprs: [] };
  const add = (name: string, expr: string) => (out.names.push(name), out.exprs.push(expr));
  ctx.alignment.key.forEach((k, i) => add(n.key[i], side.side === 'legacy' ? k.legacySql : valueOf(spec, k, undefined, side)));
  // The day a row falls on, which the fast pass totals by; a table without a cursor has none (its chunks are joined).
  if (ctx.alignment.cursor) add(n.day, side.side === 'legacy' ? d.epochDay(legacyCursorUtc(ctx)) : targetCursorDay(ctx, valueOf(spec, cursorOf(ctx, "verify's checksums per day"), undefined, side)));
  const values = spec.compared.map((c) => ({ expr: valueOf(spec, c.column, c.rule, side), rule: c.rule }));
  const normalized = values.map((v) => normalizedText(d, v.expr, v.rule));
  if (options.fieldsForRowSet) normalized.forEach((expr, i) => add(n.normalized[i], expr));
  else add(n.hash, rowChecksumSql(d, values));
  const updatedAt = ctx.alignment.updatedAt;
  if (updatedAt) add(n.updated, comparable(spec, updatedAt, side));
  spec.metrics.forEach((m, i) => add(n.metric[i], metricValue(d, valueOf(spec, m.column, ruleFor(m.column), side), m.scale, ruleFor(m.column))));
  if (options.columns) {
    normalized.forEach((expr, i) => add(n.normalized[i], expr));
    spec.compared.forEach((c, i) => add(n.shown[i], d.cast(valueOf(spec, c.column, c.rule, side), d.textType)));
  }
  return { ...out, keyAliases: n.key };
}

/** updated_at in a form that orders the same on both sides (microseconds for times, a decimal for numbers). */
function comparable(spec: VerifySpec, column: AlignedColumn, side: Side): string {
  const rule = ruleFor(column);
  const value = valueOf(spec, column, rule, side);
  if (rule.kind === 'utc_micros') return spec.ctx.dialect.epochMicros(value);
  if (rule.kind === 'decimal') return decimalAt(spec.ctx.dialect, value, rule.scale ?? 0);
  return spec.ctx.dialect.cast(value, spec.ctx.dialect.textType);
}

/** Legacy's rows as verify sees them: de-duplicated by key as the backfill does (latest row wins), optionally one window's, keyed only. */
function legacyRows(spec: VerifySpec, options: { window?: Window; columns?: boolean; fieldsForRowSet?: boolean; guard?: string } = {}): string {
  const where = options.window ? `${windowPredicate(spec.ctx, options.window)} AND ${rawKeyNotNull(spec.ctx)}${options.guard ? ` AND ${options.guard}` : ''}` : undefined;
  return legacyRowsSql(spec.ctx, where, projection(spec, { side: 'legacy' }, options));
}

function targetRows(spec: VerifySpec, options: { fieldsForRowSet?: boolean } = {}): string {
  const p = projection(spec, { side: 'target' }, options);
  return renderFor(spec.ctx, 'verify_target_rows', {
    columns: p.exprs.map((e, i) => `${e} AS ${p.names[i]}`).join(', '),
    target: spec.ctx.q.target,
  });
}

/**
 * The fast pass, one statement per side: every row of the table grouped by
 * the UTC day of its cursor, with the count, the rows without a key, and the
 * checksum and metric sums over the keyed rows. Days add up to any window
 * size, so the same pass serves month, week and day windows. The checksum is
 * the sum of the rows' hash60, or the engine's own rowSetChecksum: that one
 * does not add up, so the rows without a key get a group of their own (the
 * reader adds a day's groups) and a checksum of 0.
 */
export function dayTotalsSql(spec: VerifySpec, side: 'legacy' | 'target'): string {
  const n = names(spec);
  const keyNull = anyNull(n.key.map((k) => `r.${k}`));
  const rowSet = spec.ctx.dialect.rowSetChecksum;
  const options = { fieldsForRowSet: rowSet !== undefined };
  return renderFor(spec.ctx, 'verify_day_totals', {
    rows: side === 'legacy' ? legacyRows(spec, options) : targetRows(spec, options),
    day: `r.${n.day}`,
    key_null: keyNull,
    checksum: rowSet
      ? `CASE WHEN sum(CASE WHEN ${keyNull} THEN 1 ELSE 0 END) > 0 THEN 0 ELSE ${rowSet.aggregate(n.normalized.map((c) => `r.${c}`))} END`
      : `sum(CASE WHEN ${keyNull} THEN 0 ELSE r.${n.hash} END)`,
    group_by: rowSet ? `r.${n.day}, ${keyNull}` : `r.${n.day}`,
    metrics: spec.metrics.map((_, i) => `sum(CASE WHEN ${keyNull} THEN NULL ELSE r.${n.metric[i]} END) AS ${spec.ctx.dialect.quoteIdent(`metric_${i}`)}`).join(',\n  ') || undefined,
  });
}

/**
 * The target side of `l LEFT JOIN target AS t ON …`, as the window check and
 * the sample both write it: the join condition, each of the target's
 * projected values by name, and whether the row was found.
 */
function joinedTarget(spec: VerifySpec, options: { columns?: boolean } = {}) {
  const q = (name: string) => spec.ctx.dialect.quoteIdent(name);
  const n = names(spec);
  const t = projection(spec, { side: 'target', alias: 't' }, options);
  return {
    keyMatch: spec.ctx.alignment.key.map((k, i) => `t.${q(k.target.name)} = l.${n.key[i]}`).join(' AND '),
    value: (name: string) => t.exprs[t.names.indexOf(name)],
    found: `${t.exprs[0]} IS NOT NULL`,
  };
}

/**
 * Legacy (aliased a) holds the key of a target row of the given alias. Where both keys are of one kind
 * (integers of any width or sign, decimals, text, times), legacy's column is compared bare, the engine
 * converting the other side, so legacy's key index serves the probe: a cast on the legacy side (BIGINT
 * UNSIGNED against BIGINT) made every target row scan legacy whole, and a cast on the target's side could
 * fail (a live id beyond legacy's integer) or truncate (a longer text). Keys of different kinds compare as
 * the backfill aligned them.
 */
function legacyKeyMatch(spec: VerifySpec, targetAlias: string): string {
  const d = spec.ctx.dialect;
  return spec.ctx.alignment.key
    .map((k) => {
      const value = `${targetAlias}.${d.quoteIdent(k.target.name)}`;
      const [legacyType, targetType] = [k.rawType ?? k.target.type, k.target.type];
      const kind = classifyType(legacyType).kind;
      const sameKind =
        d.sameType(legacyType, targetType) ||
        (['integer', 'decimal'].includes(kind) && kind === classifyType(targetType).kind) ||
        (typeShape(legacyType, d).kind === 'text' && typeShape(targetType, d).kind === 'text');
      return `${sameKind ? k.rawLegacySql : k.legacySql} = ${value}`;
    })
    .join(' AND ');
}

/**
 * The target row is newer than legacy's by updated_at: later, or set where legacy's is NULL (the upsert never
 * overwrites such a row, so it is the live writer's, not a difference).
 */
function newerInTarget(target: string, legacy: string): string {
  return `(${target} > ${legacy} OR (${legacy} IS NULL AND ${target} IS NOT NULL))`;
}

/** A LIMIT no query reaches (the largest BIGINT): an optimization fence, see verify_window_check.sql. */
const NO_LIMIT = '9223372036854775807';

/**
 * One window in detail: legacy's keyed rows of the window joined to the
 * target on the key (wherever the target row's cursor now falls), giving the
 * missing keys, the rows whose checksums differ, and both sides' checksums
 * and metric sums over the matched rows. With `full` (verify, for a window
 * whose fast-pass totals differ) it also counts the target's rows of the
 * window, those whose key legacy lacks (extra: live data), and keys held
 * twice in the target and in the view.
 */
export function windowCheckSql(spec: VerifySpec, window: Window, full: boolean, guard?: string): string {
  const { ctx } = spec;
  const d = ctx.dialect;
  const n = names(spec);
  const t = joinedTarget(spec);
  const q = (name: string) => d.quoteIdent(name);
  const updatedAt = ctx.alignment.updatedAt;
  // Rows a live writer made newer in the target (updated_at) are reported apart, not failed: the sums are
  // reconciled over the other rows, and what the live updates changed is summed on its own.
  const newer = `p.${q('t_h')} <> p.${q('l_h')} AND ${newerInTarget(`p.${q('t_u')}`, `p.${q('l_u')}`)}`;
  const metricSums = spec.metrics.flatMap((_, i) => {
    const [l, t] = [`p.${q(`l_m${i}`)}`, `p.${q(`t_m${i}`)}`];
    if (!updatedAt) return [`sum(${l}) AS ${q(`v_legacy_metric_${i}`)}`, `sum(${t}) AS ${q(`v_target_metric_${i}`)}`];
    return [
      `sum(CASE WHEN ${newer} THEN NULL ELSE ${l} END) AS ${q(`v_legacy_metric_${i}`)}`,
      `sum(CASE WHEN ${newer} THEN NULL ELSE ${t} END) AS ${q(`v_target_metric_${i}`)}`,
      `sum(CASE WHEN ${newer} THEN ${t} - ${l} END) AS ${q(`v_live_metric_${i}`)}`,
    ];
  });
  const targetWindow = targetWindowPredicate(ctx, window);
  return renderFor(ctx, 'verify_window_check', {
    legacy_rows: legacyRows(spec, { window, guard }),
    target: ctx.q.target,
    key_match: t.keyMatch,
    // Each row's values once: the checksums, updated_at and metrics of both sides (the target's NULL where it lacks the key).
    joined: [
      `l.${n.hash} AS ${q('l_h')}`,
      `CASE WHEN ${t.found} THEN ${t.value(n.hash)} END AS ${q('t_h')}`,
      ...(updatedAt ? [`l.${n.updated} AS ${q('l_u')}`, `${t.value(n.updated)} AS ${q('t_u')}`] : []),
      ...spec.metrics.flatMap((_, i) => [`l.${n.metric[i]} AS ${q(`l_m${i}`)}`, `${t.value(n.metric[i])} AS ${q(`t_m${i}`)}`]),
    ].join(',\n    '),
    no_limit: NO_LIMIT,
    t_h: `p.${q('t_h')}`,
    l_h: `p.${q('l_h')}`,
    newer: updatedAt ? newer : undefined,
    metric_sums: metricSums.join(',\n  ') || undefined,
    full,
    target_window_rows: `SELECT ${keyNames(ctx)} FROM ${ctx.q.target} WHERE ${targetWindow}`,
    legacy: ctx.q.legacy,
    extra_match: legacyKeyMatch(spec, 'w'),
    key_names: keyNames(ctx),
    target_window: targetWindow,
    view: ctx.q.view,
  });
}

/**
 * Up to `limit` rows of a window that differ, legacy and target side by
 * side, each compared column normalized (to tell which differ) and as the
 * engine shows it (to print): first the missing and changed rows, then the
 * target's rows whose key legacy lacks.
 */
export function windowSampleSql(spec: VerifySpec, window: Window, limit: number): { differing: string; extra: string } {
  const { ctx } = spec;
  const d = ctx.dialect;
  const n = names(spec);
  const q = (name: string) => d.quoteIdent(name);
  const t = joinedTarget(spec, { columns: true });
  const columns = [
    ...n.key.map((k) => `l.${k}`),
    `CASE WHEN NOT (${t.found}) THEN 'missing'${ctx.alignment.updatedAt ? ` WHEN ${newerInTarget(t.value(n.updated), `l.${n.updated}`)} THEN 'newer_in_target'` : ''} ELSE 'changed' END AS ${q('difference')}`,
    ...spec.compared.flatMap((_, i) => [`l.${n.normalized[i]} AS ${q(`l_c${i}`)}`, `${t.value(n.normalized[i])} AS ${q(`t_c${i}`)}`, `l.${n.shown[i]} AS ${q(`l_r${i}`)}`, `${t.value(n.shown[i])} AS ${q(`t_r${i}`)}`]),
  ];
  const differing = renderFor(ctx, 'verify_window_sample', {
    legacy_rows: legacyRows(spec, { window, columns: true }),
    target: ctx.q.target,
    key_match: t.keyMatch,
    columns: columns.join(',\n    '),
    differs: `${q('difference')} = 'missing' OR ${q('l_h')} <> ${q('t_h')}`,
    hashes: `l.${n.hash} AS ${q('l_h')}, ${t.value(n.hash)} AS ${q('t_h')}`,
    order: n.key.join(', '),
    limit: String(limit),
  });
  const p = projection(spec, { side: 'target' }, { columns: true });
  const extra = renderFor(ctx, 'verify_extra_sample', {
    columns: [...p.keyAliases.map((k, i) => `${p.exprs[i]} AS ${k}`), ...spec.compared.map((_, i) => `${p.exprs[p.names.indexOf(n.shown[i])]} AS ${q(`t_r${i}`)}`)].join(', '),
    target: ctx.q.target,
    window: targetWindowPredicate(ctx, window),
    legacy: ctx.q.legacy,
    extra_match: legacyKeyMatch(spec, ctx.q.target),
    limit: String(limit),
  });
  return { differing, extra };
}

/**
 * How the slice's fast path (plan/windowState.ts) validates: steps that sum what it wrote, the row-by-row check
 * guarded to read nothing where those sums settled the window, the result they settled, and, in SQL over the
 * slice's figures, what a window settled by its sums records: its keyed legacy rows and each side's checksum and
 * metric sums (`legacy`/`target` of 'checksum' or 'metric_<i>').
 */
export interface FastValidation {
  before: Step[];
  guard: string;
  /** The window's result from the sums, or undefined where the row-by-row check ran. */
  decided: (vars: Vars) => WindowResult | undefined;
  /** What a window its sums settled records: from the fast path's figures (`fig`, see LedgerWriter.figuresRow) and its recorded state (`w`). */
  settled: (fig: (measure: string, item: string) => string) => { rows: string; legacy: (item: string) => string; target: (item: string) => string };
}

/**
 * The slice's measurements, as window_figures names them: the fast path's comparison of both sides and its sums of
 * a fresh window's INSERT (plan/windowState.ts), and the row-by-row check.
 */
export const STATE_MEASURE = 'state';
export const FRESH_MEASURE = 'fresh';
const CHECK_MEASURE = 'check';

/**
 * The window check's figures (windowCheckSql's columns; the metric sums' are quoted there). Only `full` is
 * verify's, whose findings are recorded with migrate's own values.
 */
function checkItems(spec: VerifySpec): Array<{ name: string; ref: string }> {
  const q = (name: string) => spec.ctx.dialect.quoteIdent(name);
  const plain = (name: string) => ({ name, ref: name });
  const quoted = (name: string) => ({ name, ref: q(name) });
  const updatedAt = Boolean(spec.ctx.alignment.updatedAt);
  return [
    ...['v_legacy_rows', 'v_missing_keys', 'v_changed_rows', ...(updatedAt ? ['v_newer_in_target'] : []), 'v_legacy_checksum', 'v_target_checksum'].map(plain),
    ...spec.metrics.flatMap((_, i) => [`v_legacy_metric_${i}`, `v_target_metric_${i}`, ...(updatedAt ? [`v_live_metric_${i}`] : [])].map(quoted)),
  ];
}

/**
 * Validate as you go: right after a slice's upsert, in its transaction, the
 * window is checked as verify checks it (every legacy row in the target with
 * the same values, metric sums within tolerance) and marked validated with
 * both sides' checksums. A failure rolls the slice back and stops the run.
 * The check's figures are kept in the ledger (window_figures): migrate reads
 * them back to decide, a client running the printed plan stops at the guard
 * after them, and the validation is recorded from them in SQL.
 */
export function windowValidationSteps(spec: VerifySpec, ledger: LedgerWriter, window: Window, fastPath?: FastValidation): Step[] {
  const id = spec.ctx.table.id;
  const measured = measuredValidation(spec, ledger, window, fastPath);
  return [
    ...(fastPath?.before ?? []),
    ledger.figuresRecordStep(
      id,
      window,
      CHECK_MEASURE,
      fastPath
        ? 'Validate the window row by row where its sums did not settle it: every legacy row is in the target with the same values (row checksums), metric sums agree; the figures kept in the ledger'
        : 'Validate the window: every legacy row is in the target with the same values (row checksums), metric sums agree; the figures kept in the ledger',
      windowCheckSql(spec, window, false, fastPath?.guard),
      checkItems(spec),
    ),
    ledger.figuresReadStep(
      id,
      window,
      fastPath ? [STATE_MEASURE, FRESH_MEASURE, CHECK_MEASURE] : [CHECK_MEASURE],
      {
        intent: "Read the window's figures back and check them",
        expect: `missing_keys = 0 and changed_rows = 0${spec.metrics.length ? ' and sums within tolerance' : ''}`,
        check: (_rows, vars) => {
          const result = fastPath?.decided(vars) ?? readWindowCheck(spec, window.key, Object.fromEntries(vars));
          if (result.missingKeys > 0) throw windowKeysMissing(id, window.key, result.missingKeys);
          if (result.failures.length) {
            throw assertionError('VALIDATION_FAILED', `${id} ${window.key}: ${describeFailures(result)}`, `the window was rolled back and nothing of it was kept; migrate verify ${window.start ? `--month ${monthKey(window.start)} ` : ''}--sample 5 shows the differing rows and names the columns that differ`);
          }
          return [];
        },
      },
      Boolean(fastPath),
    ),
    ledger.assertionGuardStep(`${id} ${window.key} validates: every legacy row in the target with the same values, metric sums within tolerance`, {
      query: measured.failures,
      found: 'q.failures',
      violated: 'q.failures > 0',
    }),
    ledger.validationClearStep(id, window),
    ledger.validationMeasuredStep(id, window, measured.record),
  ];
}

/**
 * The validation in SQL over the slice's figures: what is recorded (the row-by-row check's figures, or, where the
 * fast path's sums settled the window, those sums; each metric's sums as decimal text at its scale, as sumsJson
 * writes them), and a query of how many findings fail it (missing keys, changed rows, metrics beyond tolerance).
 */
function measuredValidation(spec: VerifySpec, ledger: LedgerWriter, window: Window, fastPath?: FastValidation) {
  const { ctx } = spec;
  const d = ctx.dialect;
  const id = ctx.table.id;
  const row = ledger.figuresRow(id, window);
  const checked = (item: string) => row.use(CHECK_MEASURE, item);
  const settled = fastPath?.settled(row.use);
  const count = (sql: string) => d.cast(`coalesce(${sql}, '0')`, d.stateTypes.bigint);
  // Where the fast path ran, the row-by-row check's figures count only where it was guarded in (row_check 'yes').
  const rowChecked = `w.row_check = 'yes'`;
  const pick = (check: string, sums: (s: NonNullable<typeof settled>) => string) => (settled ? `CASE WHEN ${rowChecked} THEN ${check} ELSE ${sums(settled)} END` : check);
  const onlyChecked = (condition: string) => (settled ? `${rowChecked} AND ${condition}` : condition);
  const decimal = (sql: string, scale: number) => decimalAt(d, `coalesce(${sql}, '0')`, scale);
  const newer = ctx.alignment.updatedAt ? count(checked('v_newer_in_target')) : undefined;
  const lit = (text: string) => d.stringLiteral(text);
  const metricJson = spec.metrics.map((m, i) => {
    const text = (sql: string) => d.cast(decimal(sql, m.scale), d.textType);
    const legacy = pick(checked(`v_legacy_metric_${i}`), (s) => s.legacy(`metric_${i}`));
    const target = pick(checked(`v_target_metric_${i}`), (s) => s.target(`metric_${i}`));
    const live = newer ? `CASE WHEN ${onlyChecked(`${newer} > 0`)} THEN concat(${lit(',"live":"')}, ${text(checked(`v_live_metric_${i}`))}, ${lit('"')}) ELSE '' END` : "''";
    return `concat(${lit(`{"column":${JSON.stringify(m.column.target.name)},"legacy":"`)}, ${text(legacy)}, ${lit('","target":"')}, ${text(target)}, ${lit('"')}, ${live}, ${lit('}')})`;
  });
  const sums = metricJson.length ? `concat(${[lit('['), ...metricJson.flatMap((json, i) => (i ? [lit(','), json] : [json])), lit(']')].join(', ')})` : lit('[]');
  const withinTolerance = (i: number, scale: number) => {
    const [l, t] = [decimal(checked(`v_legacy_metric_${i}`), scale), decimal(checked(`v_target_metric_${i}`), scale)];
    const tolerance = spec.tolerance;
    if (tolerance.kind === 'percent') return `abs(${l} - ${t}) * 100 <= ${percentText(tolerance.percent)} * abs(${l})`;
    return `abs(${l} - ${t}) <= ${formatScaled(absoluteTolerance(tolerance.amount, scale), scale)}`;
  };
  const findings = [count(checked('v_missing_keys')), count(checked('v_changed_rows')), ...spec.metrics.map((m, i) => `CASE WHEN ${withinTolerance(i, m.scale)} THEN 0 ELSE 1 END`)];
  const record = {
    legacy_rows: count(pick(checked('v_legacy_rows'), (s) => s.rows)),
    matched_rows: pick(`${count(checked('v_legacy_rows'))} - ${count(checked('v_missing_keys'))}`, (s) => count(s.rows)),
    legacy_checksum: pick(checked('v_legacy_checksum'), (s) => s.legacy('checksum')),
    target_checksum: pick(checked('v_target_checksum'), (s) => s.target('checksum')),
    sums,
  };
  // Every figure is named by now: the row that holds them, with the window's recorded state where the fast path ran.
  const figures = `${row.from()}${settled ? ` CROSS JOIN ${ledger.windowStateRow(id, window)}` : ''}`;
  return {
    failures: `SELECT ${settled ? `CASE WHEN ${rowChecked} THEN ${findings.join(' + ')} ELSE 0 END` : findings.join(' + ')} AS failures FROM ${figures}`,
    record: { ...record, figures },
  };
}

/**
 * A side's rows summed as the fast path sums them: the sum of their checksums and of each metric, aliased by
 * `as` (0 for no rows, so two empty sides agree). `pick` gives a projected value by its name.
 */
function checksumSums(spec: VerifySpec, pick: (name: string) => string, as: { hash: string; metric: (i: number) => string }): string[] {
  const n = names(spec);
  return [`coalesce(sum(${pick(n.hash)}), 0) AS ${as.hash}`, ...spec.metrics.map((_, i) => `coalesce(sum(${pick(n.metric[i])}), 0) AS ${as.metric(i)}`)];
}

/** The target's projected value of a name, its rows aliased t. */
function targetValueOf(spec: VerifySpec): (name: string) => string {
  const t = projection(spec, { side: 'target', alias: 't' });
  return (name) => t.exprs[t.names.indexOf(name)];
}

/**
 * A window summed on both sides as the slice's fast path compares it (plan/windowState.ts): legacy's keyed rows of
 * the window, and the target's rows whose key falls in `inRange`, each counted with the sum of their checksums
 * and metrics, and the window's state named: 'fresh' (no target row in the range), 'in_sync' (as many rows with
 * the same checksum and sums: nothing to write) or 'differs', which `decidedState` may already say (then
 * `undecided` keeps both sides unread). Without `hashed` (--no-validate) only the counts are taken, and a window
 * is 'fresh' or 'differs'.
 */
export function windowStateSql(spec: VerifySpec, window: Window, options: { inRange: string; legacyRows: string; undecided: string; decidedState: string; hashed: boolean; inSyncAllowed: boolean }): string {
  const { inRange, hashed, inSyncAllowed } = options;
  const { ctx } = spec;
  const q = (name: string) => ctx.dialect.quoteIdent(name);
  const as = { hash: q('h'), metric: (i: number) => q(`m${i}`) };
  const same = ['h', ...spec.metrics.map((_, i) => `m${i}`)].map((c) => `l.${q(c)} = t.${q(c)}`);
  return renderFor(ctx, 'window_state', {
    legacy_rows: legacyRows(spec, { window, guard: options.undecided }),
    undecided: options.undecided,
    decided_state: options.decidedState,
    legacy_sums: hashed ? checksumSums(spec, (name) => `r.${name}`, as).join(', ') : undefined,
    target: ctx.q.target,
    target_sums: hashed ? checksumSums(spec, targetValueOf(spec), as).join(', ') : undefined,
    in_range: inRange,
    legacy_count: options.legacyRows,
    figures: hashed
      ? [`l.${q('h')} AS w_legacy_checksum`, `t.${q('h')} AS w_target_checksum`, ...spec.metrics.flatMap((_, i) => [`l.${q(`m${i}`)} AS w_legacy_metric_${i}`, `t.${q(`m${i}`)} AS w_target_metric_${i}`])].join(', ')
      : undefined,
    in_sync: hashed && inSyncAllowed ? `t.${q('n')} = l.${q('n')} AND ${same.join(' AND ')}` : undefined,
  });
}

/** After a fresh window's plain INSERT: the target's rows in the window's key range, summed as windowStateSql sums them. */
export function freshTotalsSql(spec: VerifySpec, inRange: string, guard: string): string {
  return renderFor(spec.ctx, 'window_fresh_totals', {
    sums: checksumSums(spec, targetValueOf(spec), { hash: 'w_fresh_checksum', metric: (i) => `w_fresh_metric_${i}` }).join(', '),
    target: spec.ctx.q.target,
    in_range: inRange,
    guard,
  });
}
