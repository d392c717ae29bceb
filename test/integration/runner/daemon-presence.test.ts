/**
 * The runner's presence as the bot sees it, through faults: a second daemon
 * on the same home, a broker restart, and a runner killed without a chance
 * to say goodbye (its last will, re-signed after the reconnect, must still
 * outrank the online status it published).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHermes } from '../../helpers/processes.js';
import { hasMosquitto, hasTmux } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';
import { type DaemonWorld, startWorld } from './daemon-harness.js';

const available = hasTmux() && hasMosquitto();

describe.skipIf(!available)('runner presence (real Mosquitto, runner child process)', () => {
  let w: DaemonWorld;

  beforeAll(async () => {
    w = await startWorld();
    await w.startRunner();
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });

  const runnerState = () => w.bot.bot!.runners.list().find((r) => r.id === w.runnerId)?.state;
  const waitForState = (state: string) =>
    waitFor(() => runnerState() === state, {
      timeoutMs: 15_000,
      intervalMs: 25,
      message: `the bot to see the runner ${state} (it is ${runnerState()})`,
    });

  it('refuses a second runner on the same HERMES_HOME with a clear message', async () => {
    const second = startHermes(['runner', '--id', w.runnerId], w.runnerEnv);
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.output()).toMatch(/another hermes runner \(pid \d+ on .*\) is using this HERMES_HOME/);
    expect(runnerState()).toBe('online');
  });

  it('comes back online after a broker restart, and its last will still reports a crash afterwards', async () => {
    const countOnline = () => w.runner!.output().split('"runner online"').length - 1;
    expect(countOnline()).toBe(1);
    await w.broker.restart();
    await waitFor(() => countOnline() === 2, {
      timeoutMs: 15_000,
      message: 'the runner to publish online again after the broker restart',
    });
    await waitForState('online');

    w.runner!.child.kill('SIGKILL');
    await w.runner!.exited;
    w.runner = undefined;
    await waitForState('offline');

    await w.startRunner();
    expect(runnerState()).toBe('online');
  });
});
