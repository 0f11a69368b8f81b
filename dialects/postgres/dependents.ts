import type { TableRef } from '../../src/config/types';
import type { Connection, Dependent } from '../types';

/**
 * What reads or references a table, from the catalog: views and materialized views whose rewrite rules depend on
 * it (pg_depend → pg_rewrite, the dependency DROP … RESTRICT checks), and foreign keys of other tables referencing it.
 */
export async function postgresDependents(conn: Connection, ref: Required<TableRef>): Promise<Dependent[]> {
  const table = `(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)`;
  const views = await conn.query(
    `SELECT DISTINCT dn.nspname AS schema_name, dc.relname AS name, dc.relkind AS kind, pg_get_userbyid(dc.relowner) AS owner
       FROM pg_depend d
       JOIN pg_rewrite rw ON rw.oid = d.objid
       JOIN pg_class dc ON dc.oid = rw.ev_class
       JOIN pg_namespace dn ON dn.oid = dc.relnamespace
      WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
        AND d.refobjid = ${table} AND dc.oid <> d.refobjid
      ORDER BY 1, 2`,
    [ref.schema, ref.name],
  );
  const keys = await conn.query(
    `SELECT cn.nspname AS schema_name, cc.relname AS name, pg_get_userbyid(cc.relowner) AS owner
       FROM pg_constraint co
       JOIN pg_class cc ON cc.oid = co.conrelid
       JOIN pg_namespace cn ON cn.oid = cc.relnamespace
      WHERE co.contype = 'f' AND co.confrelid = ${table} AND co.conrelid <> co.confrelid
      ORDER BY 1, 2`,
    [ref.schema, ref.name],
  );
  return [
    ...views.map((v) => ({ kind: v.kind === 'm' ? ('materialized view' as const) : ('view' as const), name: `${String(v.schema_name)}.${String(v.name)}`, owner: String(v.owner) })),
    ...keys.map((k) => ({ kind: 'foreign key' as const, name: `${String(k.schema_name)}.${String(k.name)}`, owner: String(k.owner) })),
  ];
}
