/**
 * The old Python fleet against Hermes over real Mosquitto: test/fixtures/fleet_agent.py signs and
 * publishes the way publish_event.py does (json.dumps defaults, paho-mqtt, QoS 1) and subscribes
 * to decisions the way job_subscriber.py does, with Debian's python3 and python3-paho-mqtt.
 */
import { describe, expect, it } from 'vitest';
import { inputText } from '../../../src/chat/render/permission.js';
import { eventsOf, permissionRequestsOf } from '../../../src/jobs/queries.js';
import type { JobState } from '../../../src/jobs/states.js';
import { type BotHarness, useBotOnBroker } from '../../helpers/bot-harness.js';
import type { TestBroker } from '../../helpers/brokers.js';
import { runHermes } from '../../helpers/cli.js';
import { FLEET_TOKEN, fleet, fleetPublish, fleetPython, fleetSpec } from '../../helpers/python-fleet.js';
import { hasMosquitto } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';

const python = fleetPython;
const TOKEN = FLEET_TOKEN;
const publish = fleetPublish;
const spec = fleetSpec;

function fleetJob(h: BotHarness, id: string, status: JobState = 'running') {
  return h.bot!.registry.register({
    id,
    profile: 'demo',
    owner: 'fleet',
    status,
    auth: { kind: 'given', token: TOKEN },
  });
}

const auditOf = (h: BotHarness, jobId: string) => h.audit().filter((a) => a.job_id === jobId);

describe.skipIf(!python || !hasMosquitto())('the Python fleet (paho-mqtt) against Hermes', () => {
  let broker: TestBroker;
  let h: BotHarness;
  useBotOnBroker('file', (b, harness) => {
    broker = b;
    h = harness;
  });

  it('utcnow().isoformat() and detail None: accepted, read as UTC and noted in the audit; completed ends the job', async () => {
    fleetJob(h, 'job_42');
    await publish(broker, [
      spec('job_42', 1, 'started', ', "detail": null', ', "timestamp": "naive"'),
      spec('job_42', 2, 'progress', ', "detail": "half way"', ', "timestamp": "naive"'),
      spec('job_42', 3, 'completed', ', "detail": null', ', "timestamp": "naive"'),
    ]);
    await waitFor(() => h.bot!.registry.require('job_42').status === 'completed', {
      timeoutMs: 10_000,
      message: 'job_42 completed',
    });
    const audit = auditOf(h, 'job_42');
    expect(audit.map((a) => [a.seq, a.verdict, a.verified])).toEqual([
      [1, 'accepted', true],
      [2, 'accepted', true],
      [3, 'accepted', true],
    ]);
    for (const a of audit) expect(a.note).toBe('timestamp had no UTC offset; read as UTC');
    const events = eventsOf(h.bot!.db, 'job_42');
    expect(events.map((e) => e.detail)).toEqual([null, 'half way', null]);
    for (const e of events) expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
  });

  it('NaN, Infinity, -Infinity (json.dumps allow_nan) and an aware +00:00 time verify, over MQTT 5, stored as sent', async () => {
    fleetJob(h, 'job-nan');
    await publish(
      broker,
      [
        spec(
          'job-nan',
          1,
          'progress',
          ', "data": {"nan": NaN, "inf": Infinity, "ninf": -Infinity, "ratio": 1.0}',
          ', "timestamp": "aware"',
        ),
      ],
      '5',
    );
    await waitFor(() => eventsOf(h.bot!.db, 'job-nan').length === 1, {
      timeoutMs: 10_000,
      message: 'stored',
    });
    const [e] = eventsOf(h.bot!.db, 'job-nan');
    expect(e!.verified).toBe(true);
    expect(e!.wire).toContain('"nan": NaN, "inf": Infinity, "ninf": -Infinity, "ratio": 1.0');
    expect(auditOf(h, 'job-nan')[0]).not.toHaveProperty('note');
  });

  it('a naive time is checked for freshness like any other: a fleet host on local time (2 h off) is stale', async () => {
    fleetJob(h, 'job_local');
    // What datetime.now().isoformat() writes on a host two hours ahead of UTC; signed as it is.
    const local = new Date(Date.now() + 2 * 3600_000).toISOString().replace('Z', '123');
    await publish(broker, [
      `{"event": {"schema_version": 1, "job_id": "job_local", "seq": 1, "event": "progress", "timestamp": "${local}"}}`,
      spec('job_local', 2, 'progress', '', ', "timestamp": "naive"'),
    ]);
    await waitFor(() => auditOf(h, 'job_local').length === 2, {
      timeoutMs: 10_000,
      message: '2 audit lines',
    });
    const [off, now] = auditOf(h, 'job_local');
    expect(off).toMatchObject({ verdict: 'dropped', reason: 'stale', seq: 1, verified: true });
    expect(off!.detail).toMatch(/^timestamp is (719\d|720\d) s from the bot's clock/);
    expect(off!.note).toBe('timestamp had no UTC offset; read as UTC');
    expect(now).toMatchObject({ verdict: 'accepted', seq: 2 });
  });

  it('what the approver sees is what was signed (2**64+1, 2**53+1, 1.0), and the Python subscriber verifies the decision', async () => {
    fleetJob(h, 'job_perm');
    const sub = fleet(broker, ['wait-decision', '--job', 'job_perm', '--request', 'req_1']);
    await waitFor(() => sub.lines().some((l) => l.includes('subscribed')), {
      timeoutMs: 10_000,
      message: 'python subscribed',
    });
    await publish(broker, [
      spec(
        'job_perm',
        1,
        'permission_required',
        ', "detail": "run it?", "data": {"request_id": "req_1", "tool": "Bash", "input": {"count": 18446744073709551617, "near": 9007199254740993, "ratio": 1.0, "word": "café"}}',
        ', "timestamp": "aware"',
      ),
    ]);
    await waitFor(() => permissionRequestsOf(h.bot!.db, 'job_perm').length === 1, {
      timeoutMs: 10_000,
      message: 'request stored',
    });
    const req = permissionRequestsOf(h.bot!.db, 'job_perm')[0]!;
    expect(req.input).toBe(
      '{"count":18446744073709551617,"near":9007199254740993,"ratio":1.0,"word":"caf\\u00e9"}',
    );
    // The chat's code block and `jobs show`, both from the stored text.
    expect(inputText(req.input)).toBe(
      '{\n  "count": 18446744073709551617,\n  "near": 9007199254740993,\n  "ratio": 1.0,\n  "word": "café"\n}',
    );
    const env = { HERMES_HOME: h.home, HERMES_LOG_LEVEL: 'silent' };
    const shown = await runHermes(['jobs', 'show', 'job_perm'], { env });
    expect(shown.stdout).toContain(
      'req_1 Bash {"count":18446744073709551617,"near":9007199254740993,"ratio":1.0,"word":"café"}',
    );
    const json = await runHermes(['jobs', 'show', 'job_perm', '--json'], { env });
    expect(json.stdout).toContain(
      '"input":{"count":18446744073709551617,"near":9007199254740993,"ratio":1.0,"word":"café"}',
    );

    const r = await h.bot!.core.decisions.decide({
      jobId: 'job_perm',
      requestId: 'req_1',
      decision: 'approve',
      by: 'slack:U1',
    });
    expect(r.outcome).toBe('decided');
    const res = await sub.done;
    expect(res.code, res.stderr).toBe(0);
    const decision = JSON.parse(sub.lines().at(-1)!) as Record<string, unknown>;
    expect(decision).toMatchObject({
      event: 'decision',
      job_id: 'job_perm',
      verified: true,
      data: expect.objectContaining({ request_id: 'req_1', decision: 'approve' }),
    });
  });

  it("the topic's job level is checked against the payload in every case (schema)", async () => {
    fleetJob(h, 'job-topic');
    await publish(broker, [
      spec('job-topic', 1, 'progress', '', ', "topic_job": "not valid"'),
      spec('job-topic', 2, 'progress', '', ', "topic_job": ""'),
      spec('job-topic', 3, 'progress', '', ', "topic_job": "job_42"'),
      spec('job-topic', 4, 'progress', '', ', "timestamp": "aware"'),
    ]);
    await waitFor(() => auditOf(h, 'job-topic').length === 4, {
      timeoutMs: 10_000,
      message: '4 audit lines',
    });
    const audit = auditOf(h, 'job-topic');
    expect(audit.map((a) => [a.seq, a.verdict, a.reason])).toEqual([
      [1, 'dropped', 'schema'],
      [2, 'dropped', 'schema'],
      [3, 'dropped', 'schema'],
      [4, 'accepted', undefined],
    ]);
    expect(audit[0]!.detail).toContain('"not valid" is not a valid job id');
    expect(audit[1]!.detail).toContain('"" is not a valid job id');
    expect(audit[2]!.detail).toContain("does not match the topic's job job_42");
  });

  it('a seq far above the highest is dropped (seq_jump) and does not block the job', async () => {
    fleetJob(h, 'job-jump');
    await publish(broker, [
      spec('job-jump', 1, 'started', '', ', "timestamp": "aware"'),
      spec('job-jump', 9007199254740991, 'progress', '', ', "timestamp": "aware"'),
      spec('job-jump', 2, 'completed', '', ', "timestamp": "aware"'),
    ]);
    await waitFor(() => h.bot!.registry.require('job-jump').status === 'completed', {
      timeoutMs: 10_000,
      message: 'completed after the jump',
    });
    const audit = auditOf(h, 'job-jump');
    expect(audit.map((a) => [a.seq, a.reason ?? a.verdict])).toEqual([
      [1, 'accepted'],
      [9007199254740991, 'seq_jump'],
      [2, 'accepted'],
    ]);
    expect(audit[1]!.detail).toContain('more than 1000000 above the highest seen (1)');
  });
});

describe.skipIf(!python || !hasMosquitto())('relay.naive_timestamps: reject', () => {
  let broker: TestBroker;
  let h: BotHarness;
  useBotOnBroker(
    'file',
    (b, harness) => {
      broker = b;
      h = harness;
    },
    { HERMES_NAIVE_TIMESTAMPS: 'reject' },
  );

  it('drops a naive time as schema, saying the offset is what is missing', async () => {
    fleetJob(h, 'job_strict');
    await publish(broker, [
      spec('job_strict', 1, 'progress', '', ', "timestamp": "naive"'),
      spec('job_strict', 2, 'progress', '', ', "timestamp": "aware"'),
    ]);
    await waitFor(() => auditOf(h, 'job_strict').length === 2, {
      timeoutMs: 10_000,
      message: '2 audit lines',
    });
    const [naive, aware] = auditOf(h, 'job_strict');
    expect(naive).toMatchObject({ verdict: 'dropped', reason: 'schema', seq: 1 });
    expect(naive!.detail).toContain('timestamp has no UTC offset');
    expect(aware).toMatchObject({ verdict: 'accepted', seq: 2 });
  });
});
