import { type EngineName, type Sandbox, openSandbox } from './engines';

/** Each engine's naive and zoned timestamp types, as a legacy ERP and a dlt target spell them. */
export const TIME_TYPES: Record<EngineName, { naive: string; zoned: string }> = {
  duckdb: { naive: 'TIMESTAMP', zoned: 'TIMESTAMPTZ' },
  postgres: { naive: 'timestamp', zoned: 'timestamptz' },
  mysql: { naive: 'DATETIME(6)', zoned: 'TIMESTAMP(6) NULL' },
};

/** A sandbox with the two schemas hand-made tables go in: legacy_schema and dlt_schema. */
export async function openTableSandbox(engine: EngineName): Promise<Sandbox> {
  const s = await openSandbox(engine);
  await s.createSchema('legacy_schema');
  await s.createSchema('dlt_schema');
  return s;
}

/** The config entry of table `name` (legacy_schema.name → dlt_schema.name, view dw.all_name, key id), plus `extra` lines. */
export function tableYaml(s: Sandbox, name: string, cursor: string, extra = ''): string {
  return `  ${name}:
    legacy: ${s.ref('legacy_schema', name)}
    target: ${s.ref('dlt_schema', name)}
    view: ${s.ref('dw', `all_${name}`)}
    key: id
    cursor: ${cursor}
${extra}`;
}

/** Writes a config holding that one table as `<name>.yaml` and returns its path. */
export function writeTableConfig(s: Sandbox, name: string, cursor: string, extra = ''): string {
  return s.writeConfig(`tables:\n${tableYaml(s, name, cursor, extra)}`, `${name}.yaml`);
}
