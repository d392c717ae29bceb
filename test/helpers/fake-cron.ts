/**
 * A cron that fires when the test says, with node-cron's own matching and validation, so
 * schedules run at "03:00" without waiting for it. `fireAt` moves the given clock first.
 */
import { type CronPort, nodeCronPort } from '../../src/schedules/cron-port.js';

export function fakeCron(start: string) {
  let now = Date.parse(start);
  const fires = new Map<string, Set<(at: Date) => void>>();
  const cron: CronPort = {
    schedule: (expr, _tz, fire) => {
      const set = fires.get(expr) ?? new Set();
      set.add(fire);
      fires.set(expr, set);
      return () => {
        set.delete(fire);
        if (set.size === 0) fires.delete(expr);
      };
    },
    matches: nodeCronPort.matches,
    valid: nodeCronPort.valid,
  };
  return {
    clock: { now: () => now },
    cron,
    set: (iso: string) => {
      now = Date.parse(iso);
    },
    /** The clock reaches `iso` and every task of the expression fires for it. */
    fireAt: (expr: string, iso: string) => {
      now = Date.parse(iso);
      for (const f of [...(fires.get(expr) ?? [])]) f(new Date(iso));
    },
    /** Expressions with a live task. */
    live: () => [...fires.keys()],
  };
}
