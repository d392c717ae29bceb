import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { runHermes, tempHome } from '../helpers/cli.js';
import { type HermesProcess, startHermes } from '../helpers/processes.js';

let broker: TestBroker | undefined;
const procs: HermesProcess[] = [];
let cleanup = () => {};
afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop('SIGKILL');
  await broker?.stop();
  cleanup();
});

describe('two processes on one $HERMES_HOME', () => {
  it('a second bot refuses to start with a clear message; the first keeps working; CLI commands share the database safely', async () => {
    broker = await startTestBroker();
    const t = tempHome();
    cleanup = t.cleanup;
    const env = { HERMES_HOME: t.home, HERMES_MQTT_URL: broker.url };
    const first = startHermes(['bot'], env);
    procs.push(first);
    await first.waitForOutput('bot running');
    const second = startHermes(['bot'], env);
    procs.push(second);
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.output()).toMatch(/another hermes bot \(pid \d+ on .*\) is using this HERMES_HOME/);
    // meanwhile CLI writers work against the same file as the running bot
    const writes = await Promise.all(
      Array.from({ length: 20 }, () =>
        runHermes(['jobs', 'register', '--profile', 'demo', '--json'], { env: { HERMES_HOME: t.home } }),
      ),
    );
    expect(writes.every((w) => w.code === 0)).toBe(true);
    const list = await runHermes(['jobs', 'list', '--json'], { env: { HERMES_HOME: t.home } });
    expect(JSON.parse(list.stdout)).toHaveLength(20);
    expect(first.child.exitCode).toBeNull();
  });

  it('a bot killed with SIGKILL leaves a lease that the next start takes over', async () => {
    broker = await startTestBroker();
    const t = tempHome();
    cleanup = t.cleanup;
    const env = { HERMES_HOME: t.home, HERMES_MQTT_URL: broker.url };
    const first = startHermes(['bot'], env);
    await first.waitForOutput('bot running');
    await first.stop('SIGKILL');
    const next = startHermes(['bot'], env);
    procs.push(next);
    await next.waitForOutput('bot running');
  });
});
