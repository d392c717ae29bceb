/** Wait for a condition instead of sleeping a guessed amount of time. */

export interface WaitOptions {
  timeoutMs: number;
  /** How often to check; 10 ms unless told. */
  intervalMs?: number;
  /** Says what was expected; it leads the timeout error. */
  message: string;
}

/**
 * No wait gives up sooner than this. A wait ends as soon as its condition holds, so the floor costs
 * a passing test nothing; it only keeps a loaded two-core machine (the whole suite on two workers,
 * one of them starting 50 agents) from failing a test whose condition was merely late: single tmux
 * and process round trips have been seen to stall for ten seconds there.
 */
const MIN_TIMEOUT_MS = 15_000;

/**
 * Polls `cond` until it returns true. A timeout throws an error naming what was awaited and, if the
 * condition itself threw on its last check, that error too (so a failing assertion is not hidden).
 */
export async function waitFor(cond: () => boolean | Promise<boolean>, opts: WaitOptions): Promise<void> {
  const interval = opts.intervalMs ?? 10;
  const timeoutMs = Math.max(opts.timeoutMs, MIN_TIMEOUT_MS);
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
    if (waited >= timeoutMs) {
      const why = lastError === undefined ? '' : `; last check threw: ${String(lastError)}`;
      throw new Error(`timed out after ${waited} ms waiting for: ${opts.message}${why}`, {
        cause: lastError,
      });
    }
    await new Promise((r) => setTimeout(r, Math.min(interval, timeoutMs - waited)));
  }
}
