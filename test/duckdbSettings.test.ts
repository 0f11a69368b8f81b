import * as os from 'node:os';
import * as path from 'node:path';
import { connectDuckDb, defaultMemoryLimit } from '../dialects/duckdb/driver';
import { loadConfig } from '../src/config/load';
import { TheseusError } from '../src/errors';
import { cleanup, tempDir, writeConfig } from './helpers/warehouse';

/**
 * DuckDB runs inside the migrate process, so its buffers are the process's memory (the bench saw 1.1 GB at 5M
 * rows): the driver bounds it, by the config's duckdb.memory_limit or else a quarter of the machine's memory, and
 * sets threads when the config says.
 */
describe('duckdb: memory_limit and threads', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir('theseus-duckdb-settings-');
  });
  afterAll(() => cleanup(dir));

  const setting = async (engineSettings?: Record<string, string | number>) => {
    const conn = await connectDuckDb(path.join(dir, 'w.duckdb'), { readOnly: false, create: true, ...(engineSettings ? { engineSettings } : {}) });
    try {
      const [row] = await conn.query("SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads");
      return { memory: String(row.memory), threads: Number(row.threads) };
    } finally {
      await conn.close();
    }
  };

  it('the config sets them; without it, a quarter of the machine', async () => {
    expect(await setting({ memory_limit: '512MB', threads: 1 })).toEqual({ memory: '488.2 MiB', threads: 1 });
    const quarterMib = Math.floor(os.totalmem() / 4 / 2 ** 20);
    expect(defaultMemoryLimit()).toBe(`${quarterMib}MiB`);
    const { memory } = await setting();
    // DuckDB prints the limit in its own rounding (e.g. "5.8 GiB").
    const [, amount, unit] = /^([\d.]+) (MiB|GiB)$/.exec(memory)!;
    expect(Math.abs(Number(amount) * (unit === 'GiB' ? 1024 : 1) - quarterMib)).toBeLessThan(quarterMib * 0.02);
  });

  it('the section is read from the config, checked, and refused for another dialect', () => {
    const head = `connection: ${path.join(dir, 'w.duckdb')}\ntables:\n  orders:\n    legacy: erp.orders\n    target: dlt.orders\n    view: dw.orders\n    key: id\n    cursor: created_at\n`;
    expect(loadConfig(writeConfig(dir, `dialect: duckdb\n${head}duckdb:\n  memory_limit: 2 GB\n  threads: 4\n`), {}).engineSettings).toEqual({ memory_limit: '2GB', threads: 4 });
    const refused = (text: string) => {
      try {
        loadConfig(writeConfig(dir, text, 'bad.yaml'), {});
      } catch (e) {
        return (e as TheseusError).message;
      }
      return 'accepted';
    };
    expect(refused(`dialect: duckdb\n${head}duckdb:\n  memory_limit: lots\n`)).toMatch(/duckdb\.memory_limit is "lots": not an amount of memory/);
    expect(refused(`dialect: duckdb\n${head}duckdb:\n  threads: 0\n`)).toMatch(/duckdb\.threads is 0; it must be a whole number, at least 1/);
    expect(refused(`dialect: duckdb\n${head}duckdb:\n  memory_limit: 1KB\n`)).toMatch(/duckdb\.memory_limit is 1KB: under 256MB/);
    expect(refused(`dialect: duckdb\n${head}duckdb:\n  memory: 2GB\n`)).toMatch(/duckdb.*memory/);
    expect(refused(`dialect: postgres\nconnection: postgres://x@127.0.0.1/db\ntables:\n  orders:\n    legacy: erp.orders\n    target: dlt.orders\n    view: dw.orders\n    key: id\n    cursor: created_at\nduckdb:\n  threads: 2\n`)).toMatch(/duckdb is for dialect duckdb, and this config's dialect is postgres/);
  });
});
