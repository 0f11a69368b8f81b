import { viewMentions } from '../../dialects/viewMentions';
import { snowflakeDependents } from '../../dialects/snowflake/dependents';
import { bigqueryDependents } from '../../dialects/bigquery/dependents';
import type { Connection, Row } from '../../dialects/types';

/**
 * Snowflake and BigQuery keep no view dependencies: a view reads legacy when its stored SQL names it (viewMentions).
 * Their dependents read INFORMATION_SCHEMA and keep the views whose SQL names the table, not those that only name
 * one whose name starts alike or lives in another schema.
 */
describe('viewMentions', () => {
  const legacy = { schema: 'ERP', name: 'ORDERS' };
  it.each([
    ['select * from erp.orders', true],
    ['SELECT * FROM "ERP"."ORDERS" o', true],
    ['select * from DB.ERP . ORDERS', true],
    ['SELECT * FROM `proj.erp.orders`', true],
    ['select * from `proj`.`erp`.`orders` where 1=1', true],
    ['select * from erp.orders_notes', false],
    ['select * from other_erp.orders', false],
    ['select * from crm.orders', false],
    ['select erp_orders from x', false],
  ])('%s → %s', (sql, expected) => expect(viewMentions(sql, legacy)).toBe(expected));
});

/** A connection answering every query with the rows of the first pattern its SQL matches. */
function answering(...answers: Array<[RegExp, Row[]]>): Connection & { sql: string[] } {
  const sql: string[] = [];
  const query = async (text: string) => {
    sql.push(text);
    return answers.find(([re]) => re.test(text))?.[1] ?? [];
  };
  return { sql, query, execute: async () => 0, close: async () => undefined } as unknown as Connection & { sql: string[] };
}

describe('Snowflake and BigQuery dependents', () => {
  const legacy = { schema: 'ERP', name: 'ORDERS' };
  it('Snowflake: views whose SQL names the table (with owner), materialized views, foreign keys', async () => {
    const conn = answering(
      [/INFORMATION_SCHEMA\.VIEWS/, [
        { schema_name: 'REPORTS', name: 'TOTALS', owner: 'ANALYST', definition: 'create view totals as select count(*) n from erp.orders', table_type: 'VIEW' },
        { schema_name: 'REPORTS', name: 'DAYS', owner: 'ANALYST', definition: 'create materialized view days as select * from "ERP"."ORDERS"', table_type: 'MATERIALIZED VIEW' },
        { schema_name: 'REPORTS', name: 'NOTES', owner: 'ANALYST', definition: 'create view notes as select * from erp.orders_notes', table_type: 'VIEW' },
      ]],
      [/REFERENTIAL_CONSTRAINTS/, [{ schema_name: 'ERP', name: 'ORDER_LINES' }]],
    );
    expect(await snowflakeDependents(conn, legacy)).toEqual([
      { kind: 'view', name: 'REPORTS.TOTALS', owner: 'ANALYST' },
      { kind: 'materialized view', name: 'REPORTS.DAYS', owner: 'ANALYST' },
      { kind: 'foreign key', name: 'ERP.ORDER_LINES' },
    ]);
    expect(conn.sql.join('\n')).not.toContain('ORDERS'); // the names are bound, never spliced
  });

  it("BigQuery: the location's views and materialized views whose SQL names the table", async () => {
    const conn = answering([/region-eu/, [
      { schema_name: 'reports', name: 'totals', definition: 'SELECT count(*) FROM `proj.ERP.ORDERS`', kind: 'view' },
      { schema_name: 'reports', name: 'days', definition: 'CREATE MATERIALIZED VIEW days AS SELECT * FROM erp.orders', kind: 'materialized view' },
      { schema_name: 'reports', name: 'other', definition: 'SELECT * FROM crm.orders', kind: 'view' },
    ]]);
    (conn as unknown as { facts: Record<string, unknown> }).facts = { location: 'EU' };
    expect(await bigqueryDependents(conn, legacy)).toEqual([
      { kind: 'view', name: 'reports.totals' },
      { kind: 'materialized view', name: 'reports.days' },
    ]);
  });
});
