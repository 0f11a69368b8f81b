import type { Connection } from '../../dialects/types';
import { loadDialect } from '../../dialects';
import type { Sandbox } from './engines';

/** The events of `backfill --json`: every stdout line is one JSON object (a line that is not fails the parse). */
export type Event = Record<string, unknown> & { event: string; at: string };

export function events(stdout: string): Event[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Event);
}

export const doneWindows = (evs: Event[]) => evs.filter((e) => e.event === 'slice_done').map((e) => String(e.window));

/** Puts the sandbox back to "stitched, nothing backfilled": empty target, no slices. */
export async function resetBackfill(s: Sandbox): Promise<void> {
  await s.exec(`DELETE FROM ${s.q('dlt_schema', 'orders')}`);
  await s.exec(`DELETE FROM ${s.q('_migrate', 'slices')}`);
  await s.exec(`UPDATE ${s.q('_migrate', 'table_phases')} SET phase = 'stitched' WHERE table_name = 'orders'`);
}

export async function sliceStatuses(s: Sandbox): Promise<Record<string, string>> {
  const rows = await s.query(`SELECT window_key, status FROM ${s.q('_migrate', 'slices')} WHERE table_name = 'orders'`);
  return Object.fromEntries(rows.map((r) => [String(r.window_key), String(r.status)]));
}

/**
 * Sessions that keep the server busy: each runs a sleep, so PostgreSQL counts
 * it active in pg_stat_activity and MariaDB in Threads_running. Resolves when
 * all have started; `done` resolves when they end.
 */
export async function busySessions(s: Sandbox, count: number, seconds: number): Promise<{ done: Promise<void> }> {
  const dialect = await loadDialect(s.engine);
  const conns: Connection[] = [];
  for (let i = 0; i < count; i++) conns.push(await dialect.connect(s.connection, { readOnly: false }));
  const sleep = s.engine === 'postgres' ? `SELECT pg_sleep(${seconds})` : `SELECT SLEEP(${seconds})`;
  const done = Promise.all(conns.map((c) => c.query(sleep).finally(() => c.close()))).then(() => undefined);
  return { done };
}
