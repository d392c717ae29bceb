/**
 * A Dispatcher on a real bot database with a fake clock and an in-memory bus: commands it
 * publishes are decoded, runner status and results are delivered signed with the runner's key.
 */
import { Dispatcher } from '../../../src/bot/dispatcher.js';
import type { FollowUpSettings } from '../../../src/bot/follow-ups.js';
import { RunnersStore } from '../../../src/bot/runners-store.js';
import { isoTime, systemRandom } from '../../../src/clock.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import type { MessageHandler, MqttBus } from '../../../src/mqtt/bus.js';
import { fromPlain, type JsonObject, toPlain } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { decodeWire, encodeWire } from '../../../src/protocol/wire.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import { tempHome } from '../../helpers/cli.js';
import { FakeClock } from './support.js';

export const KEY = 'runner-key-0123456789abcdefghijklmnopqrstuv';

export interface SentCommand {
  seq: number;
  event: string;
  job_id: string;
  data: Record<string, unknown>;
}

export function dispatcherFixture(followUps: Partial<FollowUpSettings> = {}) {
  const t = tempHome();
  const db = openBotDb({ home: t.home, sqlite_journal: 'auto' }, silentLogger);
  const clock = new FakeClock();
  const registry = new JobRegistry(db, clock, systemRandom);
  const runners = new RunnersStore(db, clock);
  runners.add('r1', KEY);
  const handlers: MessageHandler[] = [];
  const sent: SentCommand[] = [];
  const keys = new Map([['r1', KEY]]);
  const seqs = new Map<string, { status: number; result: number }>();
  /** `down`: every publish fails; `failJobs`: publishes of commands for these jobs fail. */
  const state = { down: false, failJobs: new Set<string>() };
  const bus: MqttBus = {
    connected: true,
    publish: async (_topic, payload) => {
      if (state.down) throw new Error('broker unavailable');
      const cmd = toPlain(decodeWire(payload.toString())) as unknown as SentCommand;
      if (state.failJobs.has(cmd.job_id)) throw new Error('publish refused');
      sent.push(cmd);
    },
    subscribe: async () => {},
    onMessage: (h) => {
      handlers.push(h);
      return () => {};
    },
    onConnectionChange: () => () => {},
    close: async () => {},
  };
  const dispatcher = new Dispatcher({
    registry,
    runners,
    bus,
    prefix: 'hermes',
    clock,
    random: systemRandom,
    log: silentLogger,
    maxPayloadBytes: 65536,
    followUps,
  });

  function deliver(
    runner: string,
    leaf: 'status' | 'results',
    event: string,
    jobId: string,
    data: Record<string, unknown>,
  ) {
    const s = seqs.get(runner) ?? { status: 0, result: 0 };
    seqs.set(runner, s);
    const seq = leaf === 'status' ? ++s.status : ++s.result;
    const env = {
      schema_version: 1,
      job_id: jobId,
      runner_id: runner,
      seq,
      event,
      timestamp: isoTime(clock.now()),
      data,
    };
    const wire = encodeWire(signEnvelope(fromPlain(env) as JsonObject, keys.get(runner)!));
    for (const h of handlers)
      h(`hermes/runners/${runner}/${leaf}`, Buffer.from(wire), { retain: false, dup: false });
  }

  return {
    db,
    clock,
    registry,
    runners,
    dispatcher,
    sent,
    state,
    /** Commands sent for one job, as `event:seq`. */
    commandsOf: (jobId: string) => sent.filter((c) => c.job_id === jobId).map((c) => c.event),
    /** Pairs another runner. */
    pair(runner: string) {
      const key = `${runner}-key-0123456789abcdefghijklmnopqrstuv`;
      keys.set(runner, key);
      runners.add(runner, key);
    },
    online: (up = true, runner = 'r1') =>
      deliver(runner, 'status', 'status', runner, { state: up ? 'online' : 'offline', profiles: ['demo'] }),
    answer(
      jobId: string,
      command: 'start' | 'cancel',
      status: 'accepted' | 'rejected' | 'done',
      reason?: string,
      /** More result data (a start's `policy`). */
      extra: Record<string, unknown> = {},
    ) {
      const cmd = [...sent].reverse().find((c) => c.job_id === jobId && c.event === command)!;
      deliver(registry.require(jobId).runner, 'results', 'result', jobId, {
        command,
        command_seq: cmd.seq,
        status,
        ...(reason ? { reason } : {}),
        ...extra,
      });
    },
    async pass(advanceMs = 0) {
      clock.advance(advanceMs);
      await dispatcher.dispatchPending();
    },
    start: () => dispatcher.start(),
    close() {
      dispatcher.stop();
      db.close();
      t.cleanup();
    },
  };
}
