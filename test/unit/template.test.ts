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
    fs.writeFileSync(path.join(root, 'nested.sql'), 'SELECT 1\n{{#outer}}\n, 2{{#inner}}, {{inner}}{{/inner}}\n{{^inner}}\n, 3\n{{/inner}}\n{{/outer}}\nFROM t\n');
    fs.writeFileSync(path.join(root, 'unclosed.sql'), 'SELECT {{#a}}1\n');
    fs.writeFileSync(path.join(root, 'stray.sql'), 'SELECT 1{{/a}}\n');
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

  it('nests sections, drops the lines a false section leaves empty, and renders the same twice', () => {
    for (let i = 0; i < 2; i++) {
      expect(renderTemplate([dir], 'nested', { outer: true, inner: 'x' })).toEqual(['SELECT 1\n, 2, x\nFROM t']);
      expect(renderTemplate([dir], 'nested', { outer: true })).toEqual(['SELECT 1\n, 2\n, 3\nFROM t']);
      expect(renderTemplate([dir], 'nested', { inner: 'x' })).toEqual(['SELECT 1\nFROM t']);
    }
  });

  it('names a section left open or a closing tag that closes nothing', () => {
    expect(() => renderTemplate([dir], 'unclosed', { a: true })).toThrow(/section \{\{a\}\} is never closed/);
    expect(() => renderTemplate([dir], 'stray', {})).toThrow(/\{\{\/a\}\} closes no open section/);
  });

  it('falls back to _default when a dialect has no file of its own', () => {
    expect(renderTemplate(['no_such_dialect'], 'create_schema', { schema: '"s"' })).toEqual(['CREATE SCHEMA IF NOT EXISTS "s"']);
  });
});
