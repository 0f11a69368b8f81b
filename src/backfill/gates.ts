import * as fs from 'node:fs';
import type { BackfillControls } from './controls';
import type { Reporter } from './progress';
import type { StopSignal } from './stopSignal';

/** Reads the source's load signals by name, with our own running slices already taken out. */
export interface LoadReader {
  read(): Promise<Readonly<Record<string, number>>>;
}

/**
 * What must hold before the next slice starts, checked in this order and
 * again after every wait: no pause file, the source's load at or under
 * --max-load (above --critical-load stops the run), and --min-interval since
 * the previous start. gh-ost's throttle, per slice.
 */
export class SliceGates {
  private lastStart = 0;
  private paused = false;
  private throttled = false;

  constructor(
    private readonly controls: BackfillControls,
    private readonly stop: StopSignal,
    private readonly reporter: Reporter,
    private readonly load?: LoadReader,
  ) {}

  /** Resolves true when the next slice may start, false when the run is stopping. */
  async waitForTurn(): Promise<boolean> {
    for (;;) {
      if (this.stop.stopped) return false;
      if (await this.waitWhilePaused()) continue;
      if (this.stop.stopped) return false;
      if (await this.waitWhileLoaded()) continue;
      if (this.stop.stopped) return false;
      const wait = this.lastStart + this.controls.minIntervalMs - Date.now();
      if (wait > 0) {
        await this.stop.sleep(wait);
        continue;
      }
      return true;
    }
  }

  /** A slice was claimed and starts now; skipped windows do not count, so a run behind another catches up at once. */
  started(): void {
    this.lastStart = Date.now();
  }

  /** True when it waited (so every gate is checked again). */
  private async waitWhilePaused(): Promise<boolean> {
    const file = this.controls.pauseFile;
    if (!file) return false;
    if (!fs.existsSync(file)) {
      if (this.paused) this.reporter.emit({ event: 'resumed', file });
      this.paused = false;
      return false;
    }
    if (!this.paused) this.reporter.emit({ event: 'paused', file });
    this.paused = true;
    await this.stop.sleep(this.controls.recheckMs);
    return true;
  }

  private async waitWhileLoaded(): Promise<boolean> {
    const { maxLoad, criticalLoad } = this.controls;
    if (!this.load || (!maxLoad && !criticalLoad)) return false;
    const values = await this.load.read();
    // Each threshold reads its own signal: --max-load queued=4 --critical-load running=40 on Snowflake.
    const valueOf = (name: string) => values[name] ?? 0;
    if (criticalLoad && valueOf(criticalLoad.name) > criticalLoad.value) {
      this.stop.stop(`${criticalLoad.name} is ${valueOf(criticalLoad.name)}, above --critical-load ${criticalLoad.text}`, true);
      return false;
    }
    if (maxLoad && valueOf(maxLoad.name) > maxLoad.value) {
      const load = valueOf(maxLoad.name);
      if (!this.throttled) this.reporter.emit({ event: 'throttled', signal: maxLoad.name, load, threshold: maxLoad.text, recheck_seconds: this.controls.recheckMs / 1000 });
      this.throttled = true;
      await this.stop.sleep(this.controls.recheckMs);
      return true;
    }
    if (this.throttled && maxLoad) this.reporter.emit({ event: 'throttle_cleared', signal: maxLoad.name, load: valueOf(maxLoad.name) });
    this.throttled = false;
    return false;
  }
}
