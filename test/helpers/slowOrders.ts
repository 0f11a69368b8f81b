import type { EngineName, Sandbox } from './engines';
import { openSandbox } from './engines';
import { legacyOrder, loadOrders } from './ordersFixture';
import { cli } from './warehouse';

/** The order whose row makes its slice slow, and that slice's month. */
export const SLOW_ID = 42;
export const SLOW_MONTH = legacyOrder(SLOW_ID).createdAt!.slice(0, 7);

/**
 * A `columns.channel.expr` that takes about `seconds` on the row of SLOW_ID, so a test can act while that
 * slice is running. DuckDB has no sleep: a scan of a long range, about `seconds` per statement reading it on an
 * idle machine here (1.3 billion rows a second; longer under load, never shorter).
 */
export function slowChannel(engine: EngineName, seconds: number): string {
  const rows = Math.round(seconds * 1_300_000_000);
  const expr = {
    duckdb: `CASE WHEN "Id" = ${SLOW_ID} THEN (SELECT ''web'' FROM range(${rows}) r(i) WHERE i = ${rows - 1}) ELSE ''web'' END`,
    postgres: `CASE WHEN "Id" = ${SLOW_ID} THEN (SELECT ''web'' FROM pg_sleep(${seconds})) ELSE ''web'' END`,
    mysql: `CASE WHEN Id = ${SLOW_ID} AND SLEEP(${seconds}) = 0 THEN ''web'' ELSE ''web'' END`,
  }[engine];
  return `      channel: { expr: '${expr}' }\n`;
}

/** A sandbox with the orders fixture, stitched: `config`, and `slowConfig` whose SLOW_MONTH slice takes `seconds`. */
export async function openStitchedOrders(engine: EngineName, rows: number, seconds: number): Promise<{ s: Sandbox; config: string; slowConfig: string }> {
  const s = await openSandbox(engine);
  const tables = await loadOrders(s, { rows });
  const config = s.writeConfig(tables);
  const slowConfig = s.writeConfig(tables + slowChannel(engine, seconds), 'slow.yaml');
  if (cli(['stitch', '--config', config]).status !== 0) throw new Error(`stitch failed on ${engine}`);
  return { s, config, slowConfig };
}
