/** The shipped Mosquitto ACL confines each runner to its own topics (real Mosquitto, real ACL file). */
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MosquittoBroker, startMosquitto } from '../helpers/mosquitto.js';
import { findExecutable, hasMosquitto, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const ACL = join(import.meta.dirname, '..', '..', 'deploy', 'mosquitto', 'hermes.acl');
const canRun =
  (hasMosquitto() && findExecutable('mosquitto_passwd', ['/usr/bin', '/usr/sbin']) !== undefined) ||
  requireSystemDeps();

let broker: MosquittoBroker;
const clients: MqttClient[] = [];
const users = { 'hermes-bot': 'bot-pw-123', 'build-01': 'r1-pw-123', 'build-02': 'r2-pw-123' };

async function client(user: keyof typeof users): Promise<MqttClient> {
  const c = await connectAsync(broker.url, {
    username: user,
    password: users[user],
    clean: true,
    reconnectPeriod: 0,
  });
  clients.push(c);
  return c;
}

describe.skipIf(!canRun)('deploy/mosquitto/hermes.acl', () => {
  beforeAll(async () => {
    broker = await startMosquitto({ persistence: false, users, extraConfig: [`acl_file ${ACL}`] });
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await broker?.stop();
  });

  it('a runner receives its own commands and not another runner’s', async () => {
    const bot = await client('hermes-bot');
    const r1 = await client('build-01');
    const got: string[] = [];
    r1.on('message', (t) => got.push(t));
    await r1.subscribeAsync(['hermes/runners/build-01/commands', 'hermes/runners/build-02/commands'], {
      qos: 1,
    });
    await bot.publishAsync('hermes/runners/build-02/commands', 'for r2', { qos: 1 });
    await bot.publishAsync('hermes/runners/build-01/commands', 'for r1', { qos: 1 });
    await waitFor(() => got.length >= 1, { timeoutMs: 5000, message: 'r1 gets its command' });
    expect(got).toEqual(['hermes/runners/build-01/commands']);
  });

  it('a runner cannot publish another runner’s status or results, nor commands', async () => {
    const bot = await client('hermes-bot');
    const r1 = await client('build-01');
    const got: string[] = [];
    bot.on('message', (t) => got.push(t));
    await bot.subscribeAsync('hermes/runners/#', { qos: 1 });
    await r1.publishAsync('hermes/runners/build-02/status', 'forged', { qos: 1 });
    await r1.publishAsync('hermes/runners/build-02/results', 'forged', { qos: 1 });
    await r1.publishAsync('hermes/runners/build-01/commands', 'self-command', { qos: 1 });
    await r1.publishAsync('hermes/runners/build-01/status', 'mine', { qos: 1 });
    await waitFor(() => got.length >= 1, { timeoutMs: 5000, message: 'the bot gets r1 status' });
    expect(got).toEqual(['hermes/runners/build-01/status']);
  });
});
