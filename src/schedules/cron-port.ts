/**
 * The part of node-cron schedules use: fire a callback at each time of an
 * expression in a time zone, and tell whether a minute is one of its times
 * (catch-up after a restart). Tests pass a fake that fires on demand.
 */
import nodeCron from 'node-cron';

export interface CronPort {
  /** Calls `fire` with the scheduled time at each time of `expr`; returns the stop. */
  schedule(expr: string, timeZone: string | undefined, fire: (at: Date) => void): () => void;
  /** Whether `at` (a whole minute) is a time of `expr`. */
  matches(expr: string, timeZone: string | undefined, at: Date): boolean;
  valid(expr: string): boolean;
}

const opts = (tz: string | undefined) => (tz ? { timezone: tz } : {});

export const nodeCronPort: CronPort = {
  schedule(expr, timeZone, fire) {
    const task = nodeCron.schedule(expr, (ctx) => fire(ctx.date), opts(timeZone));
    return () => void task.destroy();
  },
  matches(expr, timeZone, at) {
    const task = nodeCron.createTask(expr, () => undefined, opts(timeZone));
    try {
      return task.match(at);
    } finally {
      void task.destroy();
    }
  },
  valid: (expr) => nodeCron.validate(expr),
};
