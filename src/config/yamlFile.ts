import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { usageError } from '../errors';

/** How a file that cannot be read or parsed is reported: the error codes, what it is, and what to do. */
export interface YamlFileKind {
  /** "config file", "catalog file". */
  what: string;
  unreadable: string;
  invalid: string;
  /** What to do when the file is missing or unreadable. */
  missingHint: string;
}

/** Reads a YAML (or JSON, which YAML also reads) file: its absolute path and the parsed document, unvalidated. */
export function readYamlFile(file: string, kind: YamlFileKind): { absolute: string; raw: unknown } {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw usageError(kind.unreadable, `${kind.what} ${absolute} ${reason}`, kind.missingHint);
  }
  try {
    return { absolute, raw: YAML.parse(text) };
  } catch (err) {
    throw usageError(kind.invalid, `${kind.what} ${absolute} is not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`, 'fix the syntax at the position named');
  }
}
