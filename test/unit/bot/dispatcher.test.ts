import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../src/bot/dispatcher.js';
import { RunnersStore } from '../../../src/bot/runners-store.js';
import { systemClock, systemRandom } from '../../../src/clock.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import type { MessageHandler, MqttBus } from '../../../src/mqtt/bus.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { openSealedToken } from '../../../src/protocol/seal.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { decodeWire, encodeWire } from '../../../src/protocol/wire.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import type { Db } from '../../../src/store/sqlite.js';
import { tempHome } from '../../helpers/cli.js';

const KEY = 'runner-key-0123456789abcdefghijklmnopqrstuv';
let db: Db;
let cleanup: () => void;
let registry: JobRegistry;
let runners: RunnersStore;
let handlers: MessageHandler[];
let published: Array<{ topic: string; payload: string }>;
let subscribed: string[];
let dispatcher: Dispatcher;

function bus(): MqttBus {
  return {
    connected: true,
    publish: async (topic, payload) => void published.push({ topic, payload: payload.toString() }),
    subscribe: async (filters) =>
      void subscribed.push(...(typeof filters === 'string' ? [filters] : filters)),
    onMessage: (h) => {
      handlers.push(h);
      return () => {};
    },
    onConnectionChange: () => () => {},
    close: async () => {},
  };
}

function deliver(topic: string, env: Record<string, unknown>, key = KEY) {
  const wire = encodeWire(signEnvelope(fromPlain(env) as JsonObject, key));
  for (const h of handlers) h(topic, Buffer.from(wire), { retain: false, dup: false });
}

const status = (seq: number, state: 'online' | 'offline') => ({
  schema_version: 1,
  job_id: 'r1',
  runner_id: 'r1',
  seq,
  event: 'status',
  timestamp: new Date().toISOString(),
  data: { state, profiles: ['demo'] },
});

beforeEach(async () => {
  const t = tempHome();
  cleanup = t.cleanup;
  db = openBotDb({ home: t.home, sqlite_journal: 'auto' }, silentLogger);
  registry = new JobRegistry(db, systemClock, systemRandom);
  runners = new RunnersStore(db, systemClock);
  runners.add('r1', KEY);
  handlers = [];
  published = [];
  subscribed = [];
  dispatcher = new Dispatcher({
    registry,
    runners,
    bus: bus(),
    prefix: 'hermes',
    clock: systemClock,
    random: systemRandom,
    log: silentLogger,
    maxPayloadBytes: 65536,
  });
  await dispatcher.start();
});
afterEach(() => {
  db.close();
  cleanup();
});

describe('dispatcher', () => {
  it("follows each paired runner's exact status topic, and a runner paired later (retained status on RabbitMQ)", async () => {
    expect(subscribed).toEqual([
      'hermes/runners/+/status',
      'hermes/runners/+/results',
      'hermes/runners/r1/status',
    ]);
    runners.add('r2', KEY);
    await dispatcher.dispatchPending();
    await dispatcher.dispatchPending();
    expect(subscribed.filter((t) => t.endsWith('/r2/status'))).toEqual(['hermes/runners/r2/status']);
  });

  it('pairs no new runner whose id has a dot, but re-pairs one paired before', () => {
    expect(() => runners.add('build.01', KEY)).toThrow(/no "\."/);
    db.prepare("INSERT INTO runners (id, key, added_at) VALUES ('old.one', ?, '2026-01-01T00:00:00Z')").run(
      KEY,
    );
    runners.add('old.one', `${KEY}x`);
    expect(runners.keyOf('old.one')).toBe(`${KEY}x`);
  });

  it('keeps jobs pending while the runner is offline and dispatches them, sealed and signed, once it is online', async () => {
    const job = registry.register({ profile: 'demo', runner: 'r1', owner: 'o' });
    await dispatcher.dispatchPending();
    expect(published).toHaveLength(0);
    deliver('hermes/runners/r1/status', status(1, 'online'));
    await dispatcher.dispatchPending();
    expect(registry.require(job.id).status).toBe('dispatched');
    expect(published).toHaveLength(1);
    const cmd = decodeWire(published[0]!.payload);
    expect(cmd.get('event')).toBe('start');
    expect(published[0]!.payload).not.toContain(registry.tokenOf(job.id)!);
    const sealed = (cmd.get('data') as Map<string, unknown>).get('sealed_token') as Map<string, string>;
    expect(
      openSealedToken(
        { iv: sealed.get('iv')!, ciphertext: sealed.get('ciphertext')!, tag: sealed.get('tag')! },
        KEY,
        job.id,
      ),
    ).toBe(registry.tokenOf(job.id));
  });

  it('ignores status with an old seq or a bad signature', () => {
    deliver('hermes/runners/r1/status', status(5, 'online'));
    deliver('hermes/runners/r1/status', status(4, 'offline'));
    deliver('hermes/runners/r1/status', status(6, 'offline'), 'wrong-key-0123456789abcdefghijklmnopqrs');
    expect(dispatcher.list()[0]!.state).toBe('online');
  });

  it('a rejected start ends a still-dispatched job in error; a replayed result is dropped', async () => {
    deliver('hermes/runners/r1/status', status(1, 'online'));
    const job = registry.register({ profile: 'demo', runner: 'r1', owner: 'o' });
    await dispatcher.dispatchPending();
    const result = (seq: number) => ({
      schema_version: 1,
      job_id: job.id,
      runner_id: 'r1',
      seq,
      event: 'result',
      timestamp: new Date().toISOString(),
      data: { command: 'start', command_seq: 1, status: 'rejected', reason: 'sealed token does not open' },
    });
    deliver('hermes/runners/r1/results', result(1));
    expect(registry.require(job.id)).toMatchObject({
      status: 'error',
      statusReason: expect.stringContaining('sealed token does not open'),
    });
    const other = registry.register({ profile: 'demo', runner: 'r1', owner: 'o' });
    await dispatcher.dispatchPending();
    deliver('hermes/runners/r1/results', { ...result(1), job_id: other.id });
    expect(registry.require(other.id).status).toBe('dispatched');
  });
});
