import nodeCron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { emptyReport, type ReconcileReport } from '../../../runner/reconcile.js';
import {
  type CronLike,
  ReconcileScheduler,
  SKIP_TICK_MESSAGE,
  validateSchedule,
} from '../../../runner/reconcile-scheduler.js';
import { isHermesError } from '../../../src/errors.js';
import { captureLog } from '../../helpers/log-capture.js';
import { waitFor } from '../../helpers/wait.js';

/** node-cron's validation, with ticks fired by the test instead of the wall clock. */
function fakeCron() {
  const state = { expression: '', tick: undefined as (() => unknown) | undefined, stopped: false };
  const cron: CronLike = {
    validateDetailed: (e) => nodeCron.validateDetailed(e),
    schedule(expression, fn) {
      state.expression = expression;
      state.tick = fn;
      return {
        stop() {
          state.stopped = true;
        },
      };
    },
  };
  return { cron, state };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('validateSchedule', () => {
  it('accepts five- and six-field expressions', () => {
    expect(() => validateSchedule('* * * * *')).not.toThrow();
    expect(() => validateSchedule('*/30 * * * * *')).not.toThrow();
  });

  it('names the key and what is wrong', () => {
    let err: unknown;
    try {
      validateSchedule('61 * * * *');
    } catch (e) {
      err = e;
    }
    expect(isHermesError(err, 'config')).toBe(true);
    expect((err as Error).message).toBe(
      'runner.schedule: "61 * * * *" is not a valid cron expression: 61 is a invalid expression for minute',
    );
    expect(() => validateSchedule('every minute')).toThrow(/expected 5 or 6 fields/);
  });

  it('is checked when the scheduler is built', () => {
    const { cron } = fakeCron();
    expect(
      () =>
        new ReconcileScheduler({
          schedule: '* *',
          runPass: async () => emptyReport(),
          log: captureLog().log,
          cron,
        }),
    ).toThrow(/runner.schedule/);
  });
});

describe('ReconcileScheduler', () => {
  it('runs once at start, then on each tick', async () => {
    const { cron, state } = fakeCron();
    let runs = 0;
    const s = new ReconcileScheduler({
      schedule: '*/5 * * * *',
      runPass: async () => {
        runs++;
        return emptyReport();
      },
      log: captureLog().log,
      cron,
    });
    await s.start();
    expect(runs).toBe(1);
    expect(state.expression).toBe('*/5 * * * *');
    await state.tick!();
    await state.tick!();
    expect(runs).toBe(3);
    await s.stop();
    expect(state.stopped).toBe(true);
  });

  it('skips a tick that arrives while a pass is still running, and logs it', async () => {
    const { cron, state } = fakeCron();
    const log = captureLog('info');
    const passes: Array<ReturnType<typeof deferred<ReconcileReport>>> = [];
    const s = new ReconcileScheduler({
      schedule: '* * * * *',
      runPass: () => {
        const d = deferred<ReconcileReport>();
        passes.push(d);
        return d.promise;
      },
      log: log.log,
      cron,
    });
    const first = s.start();
    expect(s.busy).toBe(true);
    await state.tick!();
    const manual = await s.runNow();
    expect(manual.skipped).toBe('a reconcile pass is still running in this process');
    expect(passes).toHaveLength(1);
    expect(log.lines().filter((l) => l.msg === SKIP_TICK_MESSAGE)).toHaveLength(2);

    passes[0]!.resolve(emptyReport());
    await first;
    expect(s.busy).toBe(false);
    const tick = state.tick!();
    expect(passes).toHaveLength(2);
    passes[1]!.resolve(emptyReport());
    await tick;
    await s.stop();
  });

  it('logs a failed tick instead of throwing, and tries again on the next', async () => {
    const { cron, state } = fakeCron();
    const log = captureLog('info');
    let fail = true;
    const s = new ReconcileScheduler({
      schedule: '* * * * *',
      runPass: async () => {
        if (fail) throw new Error('tmux exploded');
        return emptyReport();
      },
      log: log.log,
      cron,
    });
    await expect(s.start()).rejects.toThrow('tmux exploded');
    await state.tick!();
    expect(log.lines().some((l) => l.msg === 'reconcile pass failed' && l.err === 'tmux exploded')).toBe(
      true,
    );
    fail = false;
    await state.tick!();
    expect(s.busy).toBe(false);
    await s.stop();
  });

  it('stop waits for a running pass', async () => {
    const { cron } = fakeCron();
    const d = deferred<ReconcileReport>();
    const s = new ReconcileScheduler({
      schedule: '* * * * *',
      runPass: () => d.promise,
      log: captureLog().log,
      cron,
    });
    void s.start();
    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    d.resolve(emptyReport());
    await stopping;
    expect(stopped).toBe(true);
  });
});

describe('ReconcileScheduler with the real node-cron', () => {
  it('ticks on a seconds schedule and stops', async () => {
    let runs = 0;
    const s = new ReconcileScheduler({
      schedule: '* * * * * *',
      runPass: async () => {
        runs++;
        return emptyReport();
      },
      log: captureLog().log,
    });
    await s.start();
    await waitFor(() => runs >= 2, { timeoutMs: 5000, message: 'a cron tick after the start pass' });
    await s.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
  });
});
