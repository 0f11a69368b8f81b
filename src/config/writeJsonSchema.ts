import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../packageRoot';
import { configJsonSchema } from './jsonSchema';

/**
 * `npm run schema` (and prepack): writes migrate.schema.json at the package root from the config schema. The
 * file is committed, and test/configSchema.test.ts fails when it differs from what this would write.
 */
export const jsonSchemaText = () => `${JSON.stringify(configJsonSchema(), null, 2)}\n`;

if (require.main === module) {
  const file = path.join(packageRoot(), 'migrate.schema.json');
  fs.writeFileSync(file, jsonSchemaText());
  process.stdout.write(`wrote ${file}\n`);
}
