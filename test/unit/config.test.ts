import * as path from 'node:path';
import { validateConfig, loadConfig } from '../../src/config/load';
import { TheseusError } from '../../src/errors';
import { cleanup, tempDir, writeConfig } from '../helpers/warehouse';

const base = {
  dialect: 'duckdb',
  connection: './w.duckdb',
  tables: {
    orders: { legacy: 'legacy_schema.orders', target: 'dlt_schema.orders', view: 'dw.all_orders', key: 'id', cursor: 'created_at' },
  },
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as TheseusError).code;
  }
  return undefined;
}

describe('config', () => {
  it('reads the documented shape, with defaults', () => {
    const c = validateConfig(base, '/etc/theseus/migrate.yaml', {});
    expect(c.stateSchema).toBe('_migrate');
    expect(c.connection).toBe(path.resolve('/etc/theseus/w.duckdb'));
    expect(c.tables[0]).toMatchObject({ id: 'orders', key: ['id'], cursor: 'created_at', legacy: { schema: 'legacy_schema', name: 'orders' } });
  });

  it('accepts a composite key and column overrides', () => {
    const c = validateConfig(
      { ...base, tables: { o: { ...base.tables.orders, key: ['a', 'b'], columns: { total: { from: 'order_total', type: 'decimal(12,2)' }, note: 'Remark' } } } },
      '/x/m.yaml',
      {},
    );
    expect(c.tables[0].key).toEqual(['a', 'b']);
    expect(c.tables[0].columns).toEqual({ total: { from: 'order_total', type: 'decimal(12,2)', expr: undefined }, note: { from: 'Remark' } });
  });

  it('replaces ${VAR} and ${VAR:-default} from the environment', () => {
    expect(validateConfig({ ...base, connection: '${WAREHOUSE}' }, '/x/m.yaml', { WAREHOUSE: '/data/w.duckdb' }).connection).toBe('/data/w.duckdb');
    expect(validateConfig({ ...base, connection: '${NOPE:-/d/x.duckdb}' }, '/x/m.yaml', {}).connection).toBe('/d/x.duckdb');
    expect(codeOf(() => validateConfig({ ...base, connection: '${NOPE}' }, '/x/m.yaml', {}))).toBe('CONFIG_ENV_UNSET');
  });

  it('refuses unknown keys, missing fields and type names that are not type names', () => {
    expect(codeOf(() => validateConfig({ ...base, dialekt: 'x' }, '/x/m.yaml', {}))).toBe('CONFIG_INVALID');
    const t = base.tables.orders;
    // A table without a cursor is backfilled in chunks of its key (slice: key); a cursor that is no name is refused.
    expect(validateConfig({ ...base, tables: { o: { ...t, cursor: undefined } } }, '/x/m.yaml', {}).tables[0].cursor).toBeUndefined();
    expect(codeOf(() => validateConfig({ ...base, tables: { o: { ...t, cursor: 42 } } }, '/x/m.yaml', {}))).toBe('CONFIG_INVALID');
    // strategy: direct | staging; a table id may not hold '@' (the ledger names a table's staging <id>@staging).
    expect(validateConfig({ ...base, tables: { o: { ...t, strategy: 'staging', staging_schema: 'stage' } } }, '/x/m.yaml', {}).tables[0]).toMatchObject({ strategy: 'staging', stagingSchema: 'stage' });
    expect(codeOf(() => validateConfig({ ...base, tables: { o: { ...t, strategy: 'blue-green' } } }, '/x/m.yaml', {}))).toBe('CONFIG_INVALID');
    expect(codeOf(() => validateConfig({ ...base, tables: { 'o@staging': t } }, '/x/m.yaml', {}))).toBe('CONFIG_INVALID');
    expect(codeOf(() => validateConfig({ ...base, tables: { o: { ...t, legacy: 'a.b.c' } } }, '/x/m.yaml', {}))).toBe('CONFIG_INVALID');
    const evilType = { ...t, columns: { total: { from: 'x', type: 'int); DROP TABLE t; --' } } };
    expect(codeOf(() => validateConfig({ ...base, tables: { o: evilType } }, '/x/m.yaml', {}))).toBe('CONFIG_INVALID');
  });

  it('reads JSON as well as YAML, and says when a file is missing or unparsable', () => {
    const dir = tempDir();
    try {
      const json = writeConfig(dir, JSON.stringify(base), 'm.json');
      expect(loadConfig(json, {}).tables).toHaveLength(1);
      expect(codeOf(() => loadConfig(path.join(dir, 'absent.yaml'), {}))).toBe('CONFIG_UNREADABLE');
      expect(codeOf(() => loadConfig(writeConfig(dir, 'tables: [unclosed', 'bad.yaml'), {}))).toBe('CONFIG_UNREADABLE');
    } finally {
      cleanup(dir);
    }
  });
});
