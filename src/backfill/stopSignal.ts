/**
 * A request to stop starting new slices (Ctrl-C, SIGTERM, critical load).
 * Slices already running finish (commit or roll back) and are recorded; the
 * waits between slices end at once.
 */
export class StopSignal {
  private why?: { reason: string; critical: boolean; exitCode?: number };
  private readonly wakers = new Set<() => void>();

  get reason(): string | undefined {
    return this.why?.reason;
  }

  /** The stop came from --critical-load rather than the operator. */
  get critical(): boolean {
    return Boolean(this.why?.critical);
  }

  /** The exit code the stop asks for (128 + signal number after a signal). */
  get exitCode(): number | undefined {
    return this.why?.exitCode;
  }

  get stopped(): boolean {
    return this.why !== undefined;
  }

  stop(reason: string, critical = false, exitCode?: number): void {
    if (this.why) return;
    this.why = { reason, critical, exitCode };
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  /** Waits `ms`, or less if a stop comes first. */
  sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }
}
