/**
 * Runs reconcile once at start and then on a cron schedule (node-cron).
 *
 * Two guards, for two kinds of overlap: in this process, a tick that arrives
 * while a pass is still running is skipped (and logged); across processes on
 * one $HERMES_HOME, the store's lease makes the later pass skip (reconcilePass
 * does that and reports `skipped`).
 */
import nodeCron from 'node-cron';
import { HermesError } from '../src/errors.js';
import type { Logger } from '../src/log.js';
import { emptyReport, type ReconcileReport } from './reconcile.js';

export interface CronTask {
  stop(): void | Promise<void>;
}

/** The part of node-cron the scheduler uses; tests pass a fake that ticks on demand. */
export interface CronLike {
  validateDetailed(expression: string): { valid: boolean; errors: Array<{ field: string; message: string }> };
  schedule(expression: string, fn: () => unknown, options?: { name?: string; logger?: CronLogger }): CronTask;
}

interface CronLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error, err?: Error): void;
  debug(message: string | Error, err?: Error): void;
}

export const SKIP_TICK_MESSAGE = 'reconcile pass still running, skipping tick';

/** Throws a config error naming the key and what is wrong with the expression. */
export function validateSchedule(expression: string, cron: CronLike = nodeCron): void {
  const v = cron.validateDetailed(expression);
  if (v.valid) return;
  const why = v.errors.map((e) => e.message).join('; ') || 'not understood';
  throw new HermesError(
    'config',
    `runner.schedule: ${JSON.stringify(expression)} is not a valid cron expression: ${why}`,
    {
      hint: 'five fields (minute hour day-of-month month day-of-week), e.g. "* * * * *" for every minute; a sixth leading field adds seconds',
    },
  );
}

function cronLogger(log: Logger): CronLogger {
  const text = (m: string | Error) => (m instanceof Error ? m.message : m);
  return {
    info: (m) => log.debug({ component: 'node-cron' }, m),
    warn: (m) => log.warn({ component: 'node-cron' }, m),
    error: (m, err) => log.error({ component: 'node-cron', err: err?.message }, text(m)),
    debug: (m) => log.debug({ component: 'node-cron' }, text(m)),
  };
}

export interface ReconcileSchedulerOptions {
  /** Cron expression (config runner.schedule). */
  schedule: string;
  /** One pass; normally `() => reconcilePass(deps)`. */
  runPass: () => Promise<ReconcileReport>;
  log: Logger;
  cron?: CronLike;
}

export class ReconcileScheduler {
  private readonly cron: CronLike;
  private task: CronTask | undefined;
  private running: Promise<ReconcileReport> | undefined;

  constructor(private readonly opts: ReconcileSchedulerOptions) {
    this.cron = opts.cron ?? nodeCron;
    validateSchedule(opts.schedule, this.cron);
  }

  /** Whether a pass started by this scheduler is in progress. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /**
   * Schedule the ticks, then run the first pass and resolve with its report.
   * If that pass throws, the error is returned to the caller (the schedule
   * stays; call stop() to give up).
   */
  async start(): Promise<ReconcileReport> {
    if (this.task) throw new HermesError('usage', 'reconcile scheduler already started');
    this.task = this.cron.schedule(this.opts.schedule, () => this.tick(), {
      name: 'hermes-reconcile',
      logger: cronLogger(this.opts.log),
    });
    this.opts.log.info({ schedule: this.opts.schedule }, 'reconcile scheduled');
    return this.runNow('start');
  }

  /** One pass now, unless one is already running in this process (then a skipped report). */
  runNow(trigger: 'start' | 'tick' | 'manual' = 'manual'): Promise<ReconcileReport> {
    if (this.running) {
      this.opts.log.info({ trigger }, SKIP_TICK_MESSAGE);
      return Promise.resolve(emptyReport('a reconcile pass is still running in this process'));
    }
    const pass = this.opts.runPass().finally(() => {
      this.running = undefined;
    });
    this.running = pass;
    return pass;
  }

  /** A cron tick: never rejects (a failed pass is logged and the next tick tries again). */
  private async tick(): Promise<void> {
    try {
      await this.runNow('tick');
    } catch (e) {
      this.opts.log.error({ err: (e as Error).message }, 'reconcile pass failed');
    }
  }

  /** Stop ticking and wait for a running pass to finish. */
  async stop(): Promise<void> {
    await this.task?.stop();
    this.task = undefined;
    await this.running?.catch(() => undefined);
  }
}
