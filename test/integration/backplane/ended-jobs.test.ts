/**
 * Retained decisions of ended jobs on a real broker: a job cancelled from the CLI (another process,
 * no event announces it) has its open requests closed at once and its retained decisions removed
 * by the bot, so an agent or a late subscriber finds nothing for the dead job.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isoTime } from '../../../src/clock.js';
import { permissionRequest, permissionRequestsOf } from '../../../src/jobs/queries.js';
import type { MqttBus } from '../../../src/mqtt/bus.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { topics } from '../../../src/protocol/topics.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { type BotHarness, botHarness } from '../../helpers/bot-harness.js';
import { defaultBrokerKind, startTestBroker, type TestBroker } from '../../helpers/brokers.js';
import { record, testBus } from '../../helpers/bus-clients.js';
import { spawnHermes, tempHome } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';

let broker: TestBroker;
let h: BotHarness;
let agent: MqttBus;
let cleanup: () => void;

beforeEach(async () => {
  broker = await startTestBroker();
  const t = tempHome();
  cleanup = t.cleanup;
  h = botHarness(t.home, broker.url);
  await h.start();
  agent = await testBus(broker.url);
});
afterEach(async () => {
  await agent.close();
  await h.stop();
  await broker.stop();
  cleanup();
});

async function ask(jobId: string, token: string, seq: number, requestId: string) {
  const env = fromPlain({
    schema_version: 1,
    job_id: jobId,
    seq,
    event: 'permission_required',
    timestamp: isoTime(Date.now()),
    data: { request_id: requestId, tool: 'Bash', input: { command: 'npm test' } },
  }) as JsonObject;
  await agent.publish(topics.jobEvents('hermes', jobId), encodeWire(signEnvelope(env, token)), { qos: 1 });
}

/**
 * What a new subscriber to the job's decision topics receives as retained. A marker published
 * after the subscription arrives after every retained message, so no waiting on a guess is needed.
 */
async function retainedDecisions(jobId: string): Promise<string[]> {
  const spy = await testBus(broker.url);
  try {
    const seen = record(spy);
    await spy.subscribe(topics.jobDecisions('hermes', jobId), 1);
    const marker = topics.decision('hermes', jobId, 'zz-marker');
    await spy.publish(marker, 'marker', { qos: 1 });
    await waitFor(() => seen.received.some((m) => m.topic === marker), {
      timeoutMs: 5000,
      message: 'the marker after the retained decisions',
    });
    return seen.received.filter((m) => m.topic !== marker).map((m) => `${m.topic} ${m.text}`);
  } finally {
    await spy.close();
  }
}

describe(`ended jobs' decisions (${defaultBrokerKind()})`, () => {
  it('hermes jobs cancel: open requests closed, retained decisions removed from the broker, decide refused', async () => {
    const { job, token } = h.register();
    await ask(job.id, token!, 1, 'r-1');
    await ask(job.id, token!, 2, 'r-2');
    await waitFor(() => permissionRequestsOf(h.bot!.db, job.id, 'pending').length === 2, {
      timeoutMs: 5000,
      message: 'two pending requests',
    });
    await h.bot!.core.decisions.decide({
      jobId: job.id,
      requestId: 'r-1',
      decision: 'approve',
      by: 'cli:alice',
    });
    const before = await retainedDecisions(job.id);
    expect(before).toHaveLength(1);
    expect(before[0]).toMatch(new RegExp(`^hermes/jobs/${job.id}/decisions/r-1 \\{.*"decision":"approve"`));

    const cancel = await spawnHermes(['jobs', 'cancel', job.id], { env: { HERMES_HOME: h.home } });
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(permissionRequest(h.bot!.db, job.id, 'r-2')).toMatchObject({
      status: 'expired',
      decided_by: 'hermes:job-ended',
    });
    await waitFor(
      () =>
        (
          h.bot!.db.prepare('SELECT decisions_cleared_at AS c FROM jobs WHERE id = ?').get(job.id) as {
            c: string | null;
          }
        ).c !== null,
      { timeoutMs: 5000, message: 'the bot to clear the retained decisions of the cancelled job' },
    );
    expect(await retainedDecisions(job.id)).toEqual([]);

    const decide = await spawnHermes(['jobs', 'decide', job.id, 'r-2', 'approve', '--mqtt', broker.url], {
      env: { HERMES_HOME: h.home },
    });
    expect(decide.code).not.toBe(0);
    expect(decide.stderr).toContain(
      `job ${job.id} is cancelled: its requests are closed and can no longer be decided (request r-2 was expired by hermes:job-ended)`,
    );
    expect(await retainedDecisions(job.id)).toEqual([]);
  });
});
