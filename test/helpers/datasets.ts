import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../src/packageRoot';

/**
 * The public sample databases beside the project (../shared/datasets), never
 * copied into it. THESEUS_DATASETS points elsewhere. Undefined when absent:
 * the tests that need them then skip, loudly.
 */
export function datasetsDir(): string | undefined {
  const candidates = [process.env.THESEUS_DATASETS, path.join(packageRoot(), '..', 'shared', 'datasets'), path.join(packageRoot(), '..', '..', 'shared', 'datasets')];
  return candidates.find((c): c is string => c !== undefined && fs.existsSync(c));
}

export function warnDatasetsMissing(what: string): void {
  process.stderr.write(`\n\n!!!!! SKIPPING ${what}: ../shared/datasets is absent (set THESEUS_DATASETS to its folder)\n\n`);
}

/**
 * One statement out of a dump: from the line that starts with `startsWith`
 * to the first line that ends with `;`. The sample files keep each CREATE
 * TABLE and each multi-row INSERT together like that.
 */
export function statementsStarting(file: string, startsWith: string): string[] {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith(startsWith)) continue;
    const body: string[] = [];
    for (; i < lines.length; i++) {
      body.push(lines[i]);
      if (/;\s*$/.test(lines[i])) break;
    }
    out.push(body.join('\n').replace(/;\s*$/, ''));
  }
  return out;
}
