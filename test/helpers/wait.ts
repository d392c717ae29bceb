/** Wait for a condition instead of sleeping a guessed amount of time. */

export interface WaitOptions {
  timeoutMs: number;
  /** How often to check; 10 ms unless told. */
  intervalMs?: number;
  /** Says what was expected; it leads the timeout error. */
  message: string;
}

/**
 * Polls `cond` until it returns true. A timeout throws an error naming what was awaited and, if the
 * condition itself threw on its last check, that error too (so a failing assertion is not hidden).
 */
export async function waitFor(cond: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<void> {
  const interval = opts.intervalMs ?? 10;
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      if (await cond()) return;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    const waited = Date.now() - started;
    if (waited >= opts.timeoutMs) {
      const why = lastError === undefined ? '' : `; last check threw: ${String(lastError)}`;
      throw new Error(`timed out after ${waited} ms waiting for: ${opts.message}${why}`, {
        cause: lastError,
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, opts.timeoutMs - waited)));
  }
}
