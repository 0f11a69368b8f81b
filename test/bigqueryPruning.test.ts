import { bigquery } from '../dialects/bigquery';
import type { TableInfo } from '../dialects/types';
import { monthWindow, monthWindows, parseMonth } from '../src/backfill/windows';
import { formatBytes } from '../src/backfill/preflight';
import { LedgerWriter } from '../src/ledger/writes';
import { planBackfill } from '../src/plan/backfill';
import { buildTableContext } from '../src/plan/buildContext';
import { analyzeBigQuery, BigQueryCatalog, bigqueryAnalyzerUnavailable, bigqueryType } from './helpers/bigqueryAnalyzer';
import { ordersTableConfig } from './helpers/tableConfig';
import { TEST_RUN } from './helpers/testRun';

/**
 * What `cursor_immutable: true` saves on BigQuery, where a query is billed by the bytes it reads. A slice's MERGE
 * reads its window of legacy and, by default, every partition of the target: its ON can only say "same key", and a
 * key's row may sit in any partition. With the operator's word that a row's cursor never changes, the ON also
 * bounds the target's cursor to the window, with constants, which is the shape BigQuery prunes a MERGE's target by
 * ("a filter in the merge_condition"; constant expressions only).
 *
 * BigQuery itself is not here, so the bytes come from a model: the real MERGE the planner writes, resolved by ZetaSQL
 * (BigQuery's analyzer), tells which columns of which table each scan reads and which constant bounds the MERGE's
 * condition puts on the target's partitioning column; a catalog of sizes (a target partitioned by month on
 * created_at, 36 months of 4 GiB each over 8 columns; legacy unpartitioned, 100 GiB) turns that into bytes, as
 * BigQuery's dry run would. The live suite and `backfill --plan` show the real figure.
 */
const MONTHS = monthWindows(new Date('2022-01-01T00:00:00Z'), new Date('2024-12-01T00:00:00Z'));
const COLUMNS = ['id', 'created_at', 'status', 'total', 'customer', 'note', '_dlt_load_id', '_dlt_id'];
const TYPES: Record<string, string> = { id: 'INT64', created_at: 'TIMESTAMP', status: 'STRING', total: 'NUMERIC', customer: 'STRING', note: 'STRING', _dlt_load_id: 'STRING', _dlt_id: 'STRING' };
const TARGET_BYTES_PER_COLUMN_MONTH = (4 * 1024 ** 3) / COLUMNS.length;
const LEGACY_BYTES_PER_COLUMN = (100 * 1024 ** 3) / 6;

const info = (schema: string, names: string[]): TableInfo => ({ ref: { schema, name: 'orders' }, kind: 'table', columns: names.map((name) => ({ name, type: TYPES[name], nullable: name !== 'id' })), uniqueKeys: [] });
const legacy = info('erp', COLUMNS.slice(0, 6));
const target = info('dlt', COLUMNS);
const june = monthWindow(parseMonth('2024-06'));

function mergeOf(cursorImmutable: boolean): string {
  const table = ordersTableConfig({ legacy: legacy.ref, target: target.ref, cursorImmutable });
  const ctx = buildTableContext({ table, dialect: bigquery, legacy, target, dlt: { loadIds: [] }, stateSchema: '_migrate' });
  const job = planBackfill(ctx, new LedgerWriter(bigquery, '_migrate', TEST_RUN), { windows: [june], nextLoadId: () => '1717200000.5', phase: 'backfilling', completes: false, isComplete: async () => false, validate: true }).jobs[0];
  return job.slice.steps.find((s) => /^MERGE INTO `dlt`/.test(s.sql))!.sql;
}

/** Every object under `key` in a resolved AST, depth first. */
function all(node: unknown, key: string, out: any[] = []): any[] {
  if (node === null || typeof node !== 'object') return out;
  if (key in (node as object) && (node as any)[key]) out.push((node as any)[key]);
  for (const v of Object.values(node as object)) all(v, key, out);
  return out;
}
const idOf = (column: any) => Number(column.columnId.low);
const seconds = (literal: any) => Number(literal.value.value.timestampValue.seconds.low);

/**
 * The bytes a resolved MERGE reads under the size model: each table scan's columns, the target's only in the
 * partitions its condition's constant bounds on created_at leave (all of them where there are none).
 */
function modelBytes(merge: any): { target: number; legacy: number; partitions: number } {
  const targetColumns: any[] = merge.tableScan.parent.columnList;
  const cursorId = idOf(targetColumns.find((c) => c.name === 'created_at'));
  let lo = -Infinity;
  let hi = Infinity;
  for (const call of all(merge.mergeExpr, 'resolvedFunctionCallNode')) {
    const name: string = call.parent.function.name;
    const args: any[] = call.parent.argumentList ?? [];
    const ref = args.find((a) => a.node === 'resolvedColumnRefNode')?.resolvedColumnRefNode;
    const literal = args.find((a) => a.node === 'resolvedLiteralNode')?.resolvedLiteralNode;
    if (!ref || !literal || idOf(ref.column) !== cursorId) continue;
    if (name === 'ZetaSQL:$greater_or_equal') lo = Math.max(lo, seconds(literal));
    if (name === 'ZetaSQL:$less') hi = Math.min(hi, seconds(literal));
  }
  const partitions = MONTHS.filter((m) => m.start!.getTime() / 1000 >= lo && m.end!.getTime() / 1000 <= hi).length;
  const legacyColumns = new Set(all(merge.fromScan, 'resolvedTableScanNode').flatMap((scan) => scan.parent.columnList.map((c: any) => c.name)));
  return { target: targetColumns.length * partitions * TARGET_BYTES_PER_COLUMN_MONTH, legacy: legacyColumns.size * LEGACY_BYTES_PER_COLUMN, partitions };
}

const unavailable = bigqueryAnalyzerUnavailable();
const describeIfAnalyzer = unavailable && !process.env.CI ? describe.skip : describe;
if (unavailable && !process.env.CI) console.warn(`BigQuery pruning test not run: ${unavailable}`);

describeIfAnalyzer('cursor_immutable on BigQuery: the slice MERGE reads only its window of a target partitioned on the cursor', () => {
  const catalog = () => {
    const c = new BigQueryCatalog('EU');
    for (const t of [legacy, target]) c.add([t.ref.schema!, t.ref.name], t.columns.map((col) => ({ name: col.name, type: bigqueryType(col.type) })));
    return c;
  };
  const resolve = async (sql: string) => {
    const resolved: any[] = [];
    await analyzeBigQuery([{ sql }], catalog(), resolved);
    return resolved[0].resolvedMergeStmtNode;
  };

  it('bytes with and without: the whole target (36 partitions) against one month of it', async () => {
    const without = modelBytes(await resolve(mergeOf(false)));
    const withWord = modelBytes(await resolve(mergeOf(true)));
    expect(without.partitions).toBe(MONTHS.length);
    expect(withWord.partitions).toBe(1);
    // Legacy reads the same either way; the target shrinks to its June partition.
    expect(withWord.legacy).toBe(without.legacy);
    const report = (b: typeof without) => `${formatBytes(b.legacy + b.target)} (legacy ${formatBytes(b.legacy)}, target ${formatBytes(b.target)})`;
    expect({ without: report(without), with: report(withWord) }).toEqual({
      without: '244.0 GiB (legacy 100.0 GiB, target 144.0 GiB)',
      with: '104.0 GiB (legacy 100.0 GiB, target 4.00 GiB)',
    });
  });

  it("the bounds are constants on the target's own cursor in the MERGE's condition, not on the source (which would prune nothing of the target)", async () => {
    const sql = mergeOf(true);
    expect(sql).toContain("ON t.`id` = s.`id` AND t.`created_at` >= TIMESTAMP '2024-06-01 00:00:00+00:00' AND t.`created_at` < TIMESTAMP '2024-07-01 00:00:00+00:00'");
    // The planted mistake: the same bounds on the source side leave every target partition to be read.
    const onSource = sql.replace(/AND t\.`created_at` >= /, 'AND s.`created_at` >= ').replace(/AND t\.`created_at` < /, 'AND s.`created_at` < ');
    expect(modelBytes(await resolve(onSource)).partitions).toBe(MONTHS.length);
  });
});
