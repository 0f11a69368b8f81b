import type { Connection, LoadSignal } from '../types';
import { regionInformationSchema } from './literals';

/**
 * How busy the project is in the session's location, for --max-load / --critical-load, from
 * INFORMATION_SCHEMA.JOBS (near real time; needs bigquery.jobs.listAll, e.g. the BigQuery Resource Viewer role):
 * `pending` (jobs queued for slots: what a throttle on shared capacity most wants to see), `running`, and
 * `active`, both; and `dml_pending`, the DML statements among the pending: BigQuery queues a mutating DML statement
 * that conflicts with one running on the same table (dlt's merge into the target waiting on a slice, or a slice on
 * dlt's), so a rising count says writers are queuing on each other. Only jobs created in the last day are looked at,
 * so the view's partitions prune. The scheduler takes this run's own slices out of `running` and `active`.
 */
export function bigqueryLoadSignal(location: string): LoadSignal {
  const jobs = `${regionInformationSchema(location)}.JOBS`;
  return Object.freeze({
    names: Object.freeze(['active', 'running', 'pending', 'dml_pending']),
    describe: `jobs running and pending, and DML pending, in ${location} (INFORMATION_SCHEMA.JOBS)`,
    read: async (conn: Connection) => {
      const [row] = await conn.query(
        `SELECT COUNTIF(state = 'RUNNING') AS running, COUNTIF(state = 'PENDING') AS pending,
  COUNTIF(state = 'PENDING' AND statement_type IN ('INSERT', 'UPDATE', 'DELETE', 'MERGE')) AS dml_pending FROM ${jobs}
WHERE creation_time > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 DAY) AND state IN ('RUNNING', 'PENDING')`,
      );
      // This query is itself a running job.
      const running = Math.max(0, Number(row?.running ?? 0) - 1);
      const pending = Number(row?.pending ?? 0);
      return { active: running + pending, running, pending, dml_pending: Number(row?.dml_pending ?? 0) };
    },
    countsOwnSlices: Object.freeze(['active', 'running']),
  });
}
