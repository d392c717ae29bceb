/**
 * Starts and reconcile passes inside one daemon must not interleave: a pass
 * reads tmux first and the store second, so a session created between the
 * two reads would look vanished. Starts share the lock with each other; a
 * pass takes it alone (and waits for starts in flight).
 */
export class PassLock {
  private starts = 0;
  private pass: Promise<unknown> | undefined;
  private drained: (() => void) | undefined;

  /** Run a start; waits while a pass runs. */
  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.pass) await this.pass.catch(() => undefined);
    this.starts++;
    try {
      return await fn();
    } finally {
      this.starts--;
      if (this.starts === 0) this.drained?.();
    }
  }

  /** Run a pass alone: new starts wait, starts in flight finish first. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.pass) await this.pass.catch(() => undefined);
    const run = (async () => {
      if (this.starts > 0) {
        await new Promise<void>((r) => {
          this.drained = r;
        });
        this.drained = undefined;
      }
      return fn();
    })();
    this.pass = run;
    try {
      return await run;
    } finally {
      if (this.pass === run) this.pass = undefined;
    }
  }
}
