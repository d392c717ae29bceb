/**
 * Timers the chat core schedules with (progress flushes, channel pacing). Injected so tests drive
 * them with fake timers; the default defers to the global functions at call time, which is what
 * vitest's fake timers replace.
 */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    // A pending progress edit must not keep a stopping process alive.
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
