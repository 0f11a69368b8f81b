import type { ConnectOptions, Dialect } from '../types';
import { ansiHooks, qualifyWith, quoteDouble, stringLiteralStandard, utcTimestampText } from '../ansi';
import { duckDbSchemaExists, introspectDuckDb } from './introspect';

/** DuckDB: the embedded default. MERGE since 1.4, transactional DDL, one writing process per file. */
export const duckdb: Dialect = Object.freeze({
  ...ansiHooks,
  name: 'duckdb',
  templateDir: 'duckdb',
  capabilities: Object.freeze({ merge: true, transactionalDdl: true, advisoryLock: false }),
  stateTypes: Object.freeze({ text: 'VARCHAR', bigint: 'BIGINT', timestamp: 'TIMESTAMPTZ' }),
  textType: 'VARCHAR',
  now: 'current_timestamp',
  quoteIdent: quoteDouble,
  qualify: qualifyWith(quoteDouble),
  stringLiteral: stringLiteralStandard,
  timestampLiteral: (utc: Date, zoned: boolean) =>
    zoned ? `TIMESTAMPTZ '${utcTimestampText(utc)}+00'` : `TIMESTAMP '${utcTimestampText(utc)}'`,
  placeholder: (index: number) => `$${index}`,
  isZonedTimestamp: (type: string) => /WITH TIME ZONE|TIMESTAMPTZ/i.test(type),
  connect: async (connection: string, options: ConnectOptions) => (await import('./driver')).connectDuckDb(connection, options),
  introspect: introspectDuckDb,
  schemaExists: duckDbSchemaExists,
});
