/**
 * What the shipped Mosquitto ACL does and does not confine (real Mosquitto, real ACL file).
 *
 * Runner topics carry the runner id, so each runner is held to its own commands, status and
 * results. Job topics do not: every runner account may read every job's events and decisions and
 * write (also retained) on every job's events topic. These cases pin that down, so README.md and
 * the ACL's comments stay true; signatures, not the broker, stop forged events.
 */
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

  it('a runner cannot read another runner’s status or results', async () => {
    const bot = await client('hermes-bot');
    const r1 = await client('build-01');
    const got: string[] = [];
    r1.on('message', (t) => got.push(t));
    await r1.subscribeAsync(['hermes/runners/build-02/status', 'hermes/runners/build-02/results'], {
      qos: 1,
    });
    await r1.subscribeAsync('hermes/runners/build-01/commands', { qos: 1 });
    await bot.publishAsync('hermes/runners/build-02/status', 'r2 status', { qos: 1 });
    await bot.publishAsync('hermes/runners/build-02/results', 'r2 result', { qos: 1 });
    await bot.publishAsync('hermes/runners/build-01/commands', 'barrier', { qos: 1 });
    await waitFor(() => got.length >= 1, { timeoutMs: 5000, message: 'r1 gets the barrier command' });
    expect(got).toEqual(['hermes/runners/build-01/commands']);
  });

  it('a runner cannot publish decisions, for any job', async () => {
    const bot = await client('hermes-bot');
    const r1 = await client('build-01');
    const got: string[] = [];
    bot.on('message', (t, p) => got.push(`${t} ${p.toString()}`));
    await bot.subscribeAsync('hermes/jobs/j-dec/#', { qos: 1 });
    await r1.publishAsync('hermes/jobs/j-dec/decisions/r-1', 'forged decision', { qos: 1, retain: true });
    await r1.publishAsync('hermes/jobs/j-dec/events', 'barrier', { qos: 1 });
    await waitFor(() => got.length >= 1, { timeoutMs: 5000, message: 'the bot gets the barrier event' });
    expect(got).toEqual(['hermes/jobs/j-dec/events barrier']);
  });

  // NOT confined: job topics carry no runner id, so `pattern` lines cannot tie them to one runner.
  it('NOT confined: a runner reads every job’s events and decisions, whichever runner runs it', async () => {
    const bot = await client('hermes-bot');
    const r2 = await client('build-02');
    const got: string[] = [];
    r2.on('message', (t, p) => got.push(`${t} ${p.toString()}`));
    // build-02 asks for every job's traffic; job j-r1 belongs to build-01.
    await r2.subscribeAsync(['hermes/jobs/+/events', 'hermes/jobs/+/decisions/+'], { qos: 1 });
    await bot.publishAsync('hermes/jobs/j-r1/events', 'event of a build-01 job', { qos: 1 });
    await bot.publishAsync('hermes/jobs/j-r1/decisions/r-1', 'decision for a build-01 job', { qos: 1 });
    await waitFor(() => got.length >= 2, {
      timeoutMs: 5000,
      message: 'build-02 gets build-01’s job traffic',
    });
    expect(got.sort()).toEqual([
      'hermes/jobs/j-r1/decisions/r-1 decision for a build-01 job',
      'hermes/jobs/j-r1/events event of a build-01 job',
    ]);
  });

  it('NOT confined: a runner publishes on any job’s events topic, and replaces its retained event', async () => {
    const bot = await client('hermes-bot');
    const r2 = await client('build-02');
    // The terminal event of a build-01 job, retained as Hermes retains it.
    await bot.publishAsync('hermes/jobs/j-r1-done/events', 'signed terminal event', { qos: 1, retain: true });
    const live: string[] = [];
    bot.on('message', (t, p) => {
      if (t === 'hermes/jobs/j-r1-done/events') live.push(p.toString());
    });
    await bot.subscribeAsync('hermes/jobs/j-r1-done/events', { qos: 1 });
    await waitFor(() => live.length >= 1, { timeoutMs: 5000, message: 'the retained terminal event' });

    // build-02 writes on build-01's job topic: delivered (the bot's signature check drops it) ...
    await r2.publishAsync('hermes/jobs/j-r1-done/events', 'unsigned, retained', { qos: 1, retain: true });
    await waitFor(() => live.length >= 2, {
      timeoutMs: 5000,
      message: 'the bot receives build-02’s message',
    });
    expect(live).toEqual(['signed terminal event', 'unsigned, retained']);

    // ... and the broker now keeps it as the topic's retained message: a late subscriber never
    // sees the real terminal event.
    const late = await client('build-01');
    const retained: string[] = [];
    late.on('message', (_t, p, packet) => {
      if (packet.retain) retained.push(p.toString());
    });
    await late.subscribeAsync('hermes/jobs/j-r1-done/events', { qos: 1 });
    await waitFor(() => retained.length >= 1, { timeoutMs: 5000, message: 'the retained message' });
    expect(retained).toEqual(['unsigned, retained']);
  });
});
