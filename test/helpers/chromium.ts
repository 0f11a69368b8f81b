import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Debian's Chromium, headless, for tests that look at a page the tool wrote. Started with the flags that keep it
 * off the network (no background networking, component updates or sync; QUIC off) and a fresh profile each time;
 * the page is a file:// URL, so nothing leaves the machine. .ci/run installs the package where it is missing.
 */
export const CHROMIUM = process.env.THESEUS_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumUnavailable(): string | undefined {
  return fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (apt-get install chromium)`;
}

function run(args: string[]): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'theseus-chromium-'));
  try {
    return execFileSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, ...args],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** The page's DOM after Chromium loaded and rendered it. */
export const renderedDom = (file: string) => run(['--dump-dom', `file://${path.resolve(file)}`]);

/** A PNG of the page as Chromium draws it. */
export function screenshot(file: string, png: string, size = '1280,1800'): void {
  run(['--hide-scrollbars', `--window-size=${size}`, `--screenshot=${path.resolve(png)}`, `file://${path.resolve(file)}`]);
}
