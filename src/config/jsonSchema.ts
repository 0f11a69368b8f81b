import { z } from 'zod';
import { DIALECT_NAMES, KNOWN_DIALECTS } from '../../dialects/names';
import { toolVersion } from '../packageRoot';
import { anyCase, configSchema, dialectName, tablesSchema } from './schema';

/** Where editors find the schema of this version (the package ships migrate.schema.json at its root). */
export const schemaUrl = (version = toolVersion()) => `https://unpkg.com/theseus-migrate@${version}/migrate.schema.json`;

/** The line that points YAML editors (the yaml-language-server behind VS Code, Neovim, JetBrains) at the schema. */
export const yamlSchemaLine = (version = toolVersion()) => `# yaml-language-server: $schema=${schemaUrl(version)}`;


/**
 * migrate.schema.json: the config schema (schema.ts) as JSON Schema draft-07, which yaml-language-server reads.
 * Draft-07 because it is the draft every YAML editor's language server supports in full.
 */
export function configJsonSchema(): Record<string, unknown> {
  const json = z.toJSONSchema(configSchema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const json = ctx.jsonSchema as Record<string, unknown>;
      // What the schema's refinements say, where JSON Schema can say it too.
      if (ctx.zodSchema === tablesSchema) json.minProperties = 1;
      if (ctx.zodSchema === configSchema) {
        // The duckdb: section belongs to dialect duckdb alone.
        json.if = { required: ['dialect'], properties: { dialect: { not: { type: 'string', pattern: `^\\s*${anyCase('duckdb')}\\s*$` } } } };
        json.then = { not: { required: ['duckdb'] } };
      }
      // The tool reads a dialect in any case; an editor completes the names as written and accepts any case.
      if (ctx.zodSchema === dialectName) {
        const description = ctx.jsonSchema.description;
        for (const k of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[k];
        Object.assign(ctx.jsonSchema, { description, anyOf: [{ enum: [...DIALECT_NAMES] }, { type: 'string', pattern: `^\\s*(${KNOWN_DIALECTS.map(anyCase).join('|')})\\s*$` }] });
      }
    },
  }) as Record<string, unknown>;
  return { ...json, $id: schemaUrl(), title: 'Theseus migrate.yaml' };
}
