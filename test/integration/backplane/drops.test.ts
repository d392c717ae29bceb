import { describe, expect, it } from 'vitest';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { DROP_REASONS } from '../../../src/relay/verdict.js';
import { type BotHarness, useBotOnBroker } from '../../helpers/bot-harness.js';
import { waitFor } from '../../helpers/wait.js';

let h: BotHarness;
useBotOnBroker(
  'file',
  (_broker, harness) => {
    h = harness;
  },
  { HERMES_REPLAY_WINDOW: '100' },
);

const now = () => new Date().toISOString();
function signed(
  jobId: string,
  token: string,
  seq: number,
  event = 'progress',
  extra: Record<string, unknown> = {},
) {
  const env = fromPlain({
    schema_version: 1,
    job_id: jobId,
    seq,
    event,
    timestamp: now(),
    detail: `#${seq}`,
    data: {},
    ...extra,
  }) as JsonObject;
  return encodeWire(signEnvelope(env, token));
}

describe('every drop reason, from real messages through the broker', () => {
  it('each is audited with its reason, and the bot keeps serving valid events', async () => {
    const { job, token } = h.register();
    const ended = h.register();
    const t = `hermes/jobs/${job.id}/events`;
    const pub = (topic: string, payload: string | Buffer) => h.bot!.bus.publish(topic, payload, { qos: 1 });

    await pub(t, signed(job.id, token!, 1000)); // accepted: sets the replay high-water mark
    await pub(t, Buffer.alloc(70 * 1024, 0x41)); // too_large
    await pub(t, Buffer.from([0x7b, 0xc3, 0x28, 0x7d])); // malformed (invalid UTF-8)
    await pub(t, '{"schema_version": 1, "job_id": 5}'); // schema
    await pub('hermes/jobs/j-nobody/events', signed('j-nobody', token!, 1)); // unknown_job
    await pub(t, signed(job.id, 'a-different-token-xxxxxxxxxxxxxxxx', 1001)); // bad_signature
    await pub(t, signed(job.id, token!, 1000)); // duplicate (same content: a QoS 1 redelivery)
    await pub(t, signed(job.id, token!, 1000, 'progress', { detail: 'other' })); // duplicate with different content
    await pub(t, signed(job.id, token!, 1)); // replay: far below the window
    await pub(t, signed(job.id, token!, 1000 + 1_000_001)); // seq_jump: far above the highest
    await pub(
      t,
      encodeWire(
        signEnvelope(
          fromPlain({
            schema_version: 1,
            job_id: job.id,
            seq: 1002,
            event: 'progress',
            timestamp: '2020-01-01T00:00:00Z',
            data: {},
          }) as JsonObject,
          token!,
        ),
      ),
    ); // stale
    const et = `hermes/jobs/${ended.job.id}/events`;
    await pub(et, signed(ended.job.id, ended.token!, 1, 'completed'));
    await pub(et, signed(ended.job.id, ended.token!, 2, 'progress')); // after_terminal
    await pub(
      t,
      '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
    );
    await pub(
      t,
      '{"schema_version": 1, "job_id": "x", "seq": 1e999999, "event": "progress", "timestamp": "x", "data": {}}',
    );
    await pub(t, signed(job.id, token!, 1003)); // still served

    await waitFor(() => h.audit().length === 16, { timeoutMs: 10_000, message: '16 audit lines' });
    const audit = h.audit();
    const reasons = new Set(audit.filter((a) => a.verdict === 'dropped').map((a) => a.reason));
    expect([...reasons].sort()).toEqual([...DROP_REASONS].sort());
    expect(audit.filter((a) => a.verdict === 'accepted').map((a) => a.seq)).toEqual([1000, 1, 1003]);
    const conflict = audit.find((a) => a.conflict === true);
    expect(conflict).toMatchObject({ reason: 'duplicate', seq: 1000 });
    for (const a of audit) expect(a.received_at).toEqual(expect.any(String));
    expect(h.bot!.registry.require(job.id).maxSeq).toBe(1003);
    expect(h.bot!.core.relay.counts.get('accepted')).toBe(3);
  });
});
