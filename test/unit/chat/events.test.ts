import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import type { Span } from '../../../src/chat/port.js';
import { ALICE, APPROVER, CHANNEL, ChatHarness } from './harness.js';

let h: ChatHarness;
const T0 = Date.parse('2026-06-21T10:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: T0,
  });
});
afterEach(() => {
  h.close();
  vi.useRealTimers();
});

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await h.settle();
}

const allSpans = (h: ChatHarness): Span[] =>
  h.port.messages.flatMap((m) =>
    m.content.blocks.flatMap((b) =>
      b.kind === 'section' || b.kind === 'context'
        ? b.spans
        : b.kind === 'fields'
          ? b.fields.flatMap((f) => f.value)
          : [],
    ),
  );

describe('events into the thread', () => {
  beforeEach(() => {
    h = new ChatHarness();
  });

  it('started is a message in the thread', async () => {
    const job = await h.register();
    await h.event(job.id, 'started', 'agent up in /srv/app');
    expect(h.port.threadText(job.id).slice(1)).toEqual(['▶ Started: agent up in /srv/app']);
  });

  it('progress is coalesced into one status message, edited at most once per interval with the newest detail', async () => {
    const job = await h.register();
    await h.event(job.id, 'progress', 'step 1');
    await advance(0);
    const status = h.port.thread(job.id)[1]!;
    expect(plainText(status.content)).toContain('⏳ Working: step 1');
    const callsAfterFirst = h.port.calls.length;

    for (let i = 2; i <= 11; i++) {
      await h.event(job.id, 'progress', `step ${i}`);
      await advance(300);
    }
    // 3 s passed: nothing yet
    expect(h.port.calls.length).toBe(callsAfterFirst);
    await advance(2000);
    expect(h.port.calls.slice(callsAfterFirst).map((c) => c.method)).toEqual(['edit']);
    expect(plainText(status.content)).toContain('⏳ Working: step 11');
    expect(plainText(status.content)).toContain('11 updates so far');
    expect(h.port.thread(job.id)).toHaveLength(2);
    await advance(20_000);
    expect(h.port.calls.length).toBe(callsAfterFirst + 1);
    const delivered = h.db
      .prepare(`SELECT COUNT(*) AS n FROM chat_deliveries WHERE job_id = ? AND part = 'thread'`)
      .get(job.id);
    expect(delivered).toEqual({ n: 11 });
  });

  it('a terminal event shows the last pending progress at once, then the outcome, then the channel announcement', async () => {
    const job = await h.register();
    await advance(1000);
    await h.event(job.id, 'started');
    await h.event(job.id, 'progress', 'one');
    await advance(0);
    await h.event(job.id, 'progress', 'two');
    await advance(61_000 - 1000);
    // 'two' was flushed after 5 s; now a pending 'three' must not wait for the timer
    await h.event(job.id, 'progress', 'three');
    await h.event(job.id, 'completed', 'all tidy');
    const thread = h.port.threadText(job.id);
    expect(thread[2]).toContain('Working: three');
    expect(thread[3]).toBe('✅ Completed: all tidy\nafter 1m 00s');
    const [ann] = h.port.announcements(CHANNEL);
    expect(ann!.content.summary).toBe(`Job ${job.id} completed after 1m 00s`);
    const text = plainText(ann!.content);
    expect(text).toContain(`Job ${job.id} completed after 1m 00s (demo, requested by @${ALICE})`);
    expect(text).toContain(`open the thread <memory://${CHANNEL}/${h.port.card(job.id)!.ref.id}>`);
    expect(plainText(h.port.card(job.id)!.content)).toContain('· completed');
  });

  it('error is posted and announced with the word error', async () => {
    const job = await h.register();
    await h.event(job.id, 'error', 'exit status 2');
    expect(h.port.threadText(job.id).at(-1)).toMatch(/^❌ Error: exit status 2/);
    expect(h.port.announcements()[0]!.content.summary).toMatch(
      new RegExp(`^Job ${job.id} ended with an error after`),
    );
  });

  it('permission_required: at once, tool and truncated input in a code block, who may answer, expiry, three buttons', async () => {
    const job = await h.register();
    const big = { command: `echo ${'x'.repeat(5000)}` };
    await h.permission(job.id, 'r-1', 'Bash', big, 'run a long echo', '2026-06-21T10:10:00Z');
    const msg = h.port.thread(job.id)[1]!.content;
    expect(msg.summary).toBe(`${job.id}: permission needed for Bash`);
    const code = msg.blocks.find((b) => b.kind === 'code');
    expect(code && code.kind === 'code' && code.text.length).toBeLessThanOrEqual(1500);
    expect(code && code.kind === 'code' && code.text).toMatch(/^\{\n {2}"command": "echo xxx/);
    expect(code && code.kind === 'code' && code.text).toMatch(/more characters\)$/);
    const text = plainText(msg);
    expect(text).toContain('run a long echo');
    expect(text).toContain(`Who may answer: @${ALICE}, @${APPROVER} · expires 2026-06-21T10:10:00.000Z`);
    const actions = msg.blocks.find((b) => b.kind === 'actions');
    expect(actions && actions.kind === 'actions' && actions.buttons.map((b) => [b.action, b.value])).toEqual([
      ['approve', `${job.id} r-1`],
      ['approve_job', `${job.id} r-1`],
      ['deny', `${job.id} r-1`],
    ]);
  });

  it('agent text stays literal: it never becomes a mention, a group ping or a link', async () => {
    const job = await h.register(
      ALICE,
      'register demo <!channel> please <@U0BOSS> see <https://evil.example|docs>',
    );
    const evil = '<!here> <!subteam^S1> <@U0BOSS> <https://evil.example|click> @channel';
    await h.event(job.id, 'started', evil);
    await h.event(job.id, 'progress', evil);
    await advance(0);
    await h.permission(job.id, 'r-1', `Bash ${evil}`, { command: evil }, evil);
    await h.event(job.id, 'completed', evil);
    const spans = allSpans(h);
    expect(spans.filter((s) => s.kind === 'user').map((s) => (s as { id: string }).id)).toEqual(
      expect.arrayContaining([ALICE]),
    );
    for (const s of spans) {
      if (s.kind === 'group') throw new Error('no group spans expected');
      if (s.kind === 'user') {
        expect([ALICE, APPROVER]).toContain(s.id);
        expect(s.notify).toBeUndefined();
      }
      if (s.kind === 'link') expect(s.url).toMatch(/^memory:\/\//);
    }
    expect(spans.some((s) => s.kind === 'text' && s.text.includes('<!here>'))).toBe(true);
  });

  it('long agent text is cut to chat.max_text_chars', async () => {
    h.close();
    h = new ChatHarness({ settings: { maxTextChars: 200 } });
    const job = await h.register();
    await h.event(job.id, 'started', 'y'.repeat(10_000));
    const started = h.port.thread(job.id)[1]!.content;
    const detail = started.blocks[0]!.kind === 'section' ? started.blocks[0]!.spans.at(-1) : undefined;
    expect(detail && detail.kind === 'text' && [...detail.text].length).toBe(200);
  });
});

describe('pacing per channel', () => {
  it('progress edits of many jobs in one channel are spaced by the port interval; permission requests are not held back', async () => {
    h = new ChatHarness({ channelIntervalMs: 1000, settings: { progressIntervalMs: 2000 } });
    const jobs = [];
    for (let i = 0; i < 5; i++) jobs.push(await h.register(ALICE, `register demo job ${i}`));
    const mark = h.port.calls.length;
    const start = Date.now();
    for (let round = 0; round < 20; round++) {
      for (const j of jobs) await h.event(j.id, 'progress', `round ${round}`);
      await advance(500);
    }
    const askedAt = Date.now();
    await h.permission(jobs[0]!.id, 'r-urgent');
    expect(h.port.calls.at(-1)).toMatchObject({ method: 'postInThread', at: askedAt });
    await advance(30_000);
    const progress = h.port.calls.slice(mark).filter((c) => c.method !== 'postInThread' || c.at !== askedAt);
    const times = progress.map((c) => c.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1000);
    const seconds = (times.at(-1)! - start) / 1000;
    expect(progress.length / seconds).toBeLessThanOrEqual(1);
    for (const j of jobs) expect(plainText(h.port.thread(j.id)[1]!.content)).toContain('round 19');
  });
});
