import * as fs from 'node:fs';
import * as path from 'node:path';
import { usageError } from '../errors';

/**
 * Files the operator names on the command line (--out, --markdown). A path
 * that cannot be written is a usage error (exit 2), found before any database
 * work where possible, never a stack trace.
 */
const HINT = 'name a file in a folder that exists and that you may write to';

function unwritable(flag: string, file: string, why: string) {
  return usageError('OUTPUT_UNWRITABLE', `${flag} ${file}: ${why}`, HINT);
}

/** Refuses a path whose folder is missing or read-only, or that is a folder itself; creates nothing. */
export function checkWritable(file: string, flag: string): void {
  const dir = path.dirname(path.resolve(file));
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw unwritable(flag, file, `the folder ${dir} does not exist`);
  }
  if (!stat.isDirectory()) throw unwritable(flag, file, `${dir} is not a folder`);
  const target = fs.existsSync(file) ? file : dir;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw unwritable(flag, file, 'it is a folder');
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch {
    throw unwritable(flag, file, target === file ? 'the file is read-only' : `the folder ${dir} is not writable`);
  }
}

/** Writes (or appends) text; a failure becomes the same usage error, naming the flag. */
export function writeOutput(file: string, text: string, flag: string, options: { append?: boolean } = {}): void {
  try {
    if (options.append) fs.appendFileSync(file, text);
    else fs.writeFileSync(file, text);
  } catch (err) {
    throw unwritable(flag, file, err instanceof Error ? err.message : String(err));
  }
}
