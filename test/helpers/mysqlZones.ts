import { spawnSync } from 'node:child_process';
import type { Sandbox } from './engines';

/** MariaDB converts named zones only with its time zone tables loaded; load them once if they are absent (no-op elsewhere). */
export async function ensureMysqlZones(s: Sandbox): Promise<void> {
  if (s.engine !== 'mysql') return;
  const [row] = await s.query('SELECT count(*) AS n FROM mysql.time_zone_name');
  if (Number(row.n) > 0) return;
  const url = new URL(s.connection);
  const r = spawnSync('sh', ['-c', `mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | mariadb -h ${url.hostname} -P ${url.port || 3306} -u ${url.username || 'root'} mysql`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not load MariaDB's time zone tables: ${r.stderr}`);
}
