import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderTemplate } from '../../src/sql/template';
import { packageRoot } from '../../src/packageRoot';

/** Uses a throwaway template folder so the tests do not depend on the real templates' wording. */
describe('SQL templates', () => {
  const dir = '_test_templates';
  const root = path.join(packageRoot(), 'templates', dir);
  beforeAll(() => {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'two.sql'), '-- a comment line\nSELECT {{a}}{{#b}}, {{b}}{{/b}}{{^b}}, 0{{/b}};\nSELECT 2;\n');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('substitutes values and keeps or drops sections', () => {
    expect(renderTemplate([dir], 'two', { a: '1', b: '2' })).toEqual(['SELECT 1, 2', 'SELECT 2']);
    expect(renderTemplate([dir], 'two', { a: '1' })).toEqual(['SELECT 1, 0', 'SELECT 2']);
  });

  it('splits statements before substituting, so a value cannot add a statement', () => {
    expect(renderTemplate([dir], 'two', { a: "'x';\nDROP TABLE t" })).toHaveLength(2);
  });

  it('refuses to render with a value missing', () => {
    expect(() => renderTemplate([dir], 'two', {})).toThrow(/\{\{a\}\}/);
  });

  it('falls back to _default when a dialect has no file of its own', () => {
    expect(renderTemplate(['no_such_dialect'], 'create_schema', { schema: '"s"' })).toEqual(['CREATE SCHEMA IF NOT EXISTS "s"']);
  });
});
