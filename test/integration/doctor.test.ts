import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { runHermes, tempHome } from '../helpers/cli.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker('embedded');
});
afterAll(async () => {
  await broker.stop();
});

async function doctor(env: Record<string, string>) {
  const t = tempHome();
  try {
    const r = await runHermes(['doctor', '--json'], { env: { HERMES_HOME: t.home, ...env } });
    return {
      code: r.code,
      checks: JSON.parse(r.stdout) as Array<{ name: string; status: string; detail: string; fix?: string }>,
    };
  } finally {
    t.cleanup();
  }
}

describe('hermes doctor', () => {
  it('passes on a reachable broker with no chat configured', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url });
    expect(r.code).toBe(0);
    expect(r.checks.find((c) => c.name === 'broker')?.status).toBe('ok');
    expect(r.checks.find((c) => c.name === 'chat')?.status).toBe('skip');
  });

  it('fails on an unreachable broker and says what to do', async () => {
    const r = await doctor({ HERMES_MQTT_URL: 'mqtt://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.checks.find((c) => c.name === 'broker')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('HERMES_MQTT_URL'),
    });
  });

  it('fails closed on a Slack token with nobody allowed', async () => {
    const r = await doctor({
      HERMES_MQTT_URL: broker.url,
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_APP_TOKEN: 'xapp-1',
    });
    expect(r.code).toBe(1);
    expect(r.checks.find((c) => c.name === 'slack')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('nobody may register'),
    });
  });

  it('names a bad config key', async () => {
    const t = tempHome();
    writeFileSync(join(t.home, 'config.yaml'), 'relay:\n  replay_window: -5\n');
    const r = await runHermes(['doctor', '--json'], { env: { HERMES_HOME: t.home } });
    t.cleanup();
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({
      name: 'config',
      status: 'fail',
      detail: expect.stringContaining('relay.replay_window'),
    });
  });
});
