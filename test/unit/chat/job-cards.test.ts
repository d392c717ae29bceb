/**
 * The card follows the job: "starting" when its runner is online, the live status after every
 * change, "over" at the end; paced like progress where the platform paces, at once where it does
 * not. And where nothing paces (the console), progress older than a request is shown before it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunnerInfo } from '../../../src/bot/runner-control.js';
import { plainText } from '../../../src/chat/message.js';
import { ALICE, APPROVER, CHANNEL, ChatHarness } from './harness.js';

let h: ChatHarness | undefined;
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: Date.parse('2026-06-21T10:00:00Z'),
  });
});
afterEach(() => {
  h?.close();
  h = undefined;
  vi.useRealTimers();
});

const runner = (state: RunnerInfo['state']): RunnerInfo => ({
  id: 'local',
  state,
  profiles: [],
  lastSeen: null,
});

async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await h!.settle();
}

const cardText = (jobId: string) => plainText(h!.port.card(jobId)!.content);

describe('the job card follows the job', () => {
  it('a new card says starting when the runner is online, names an offline one, waits for an unknown one', async () => {
    h = new ChatHarness({ runners: [runner('online')] });
    const a = await h.register();
    expect(cardText(a.id)).toContain(`Job ${a.id} · starting`);
    // /hermes status shows the card the same way.
    const replies = await h.people.command(ALICE, `status ${a.id}`);
    expect(replies.map((r) => plainText(r)).join('\n')).toContain(`Job ${a.id} · starting`);
    h.close();
    h = new ChatHarness({ runners: [runner('offline')] });
    const b = await h.register();
    expect(cardText(b.id)).toContain(`Job ${b.id} · waiting for runner local (offline)`);
    h.close();
    h = new ChatHarness({ runners: [runner('unknown')] });
    const c = await h.register();
    expect(cardText(c.id)).toContain(`Job ${c.id} · waiting for a runner`);
  });

  it('without pacing: running, waiting for approval, running again, completed, each before the event', async () => {
    h = new ChatHarness({ runners: [runner('online')] });
    const job = await h.register();
    const seen: string[] = [];
    const edit = h.port.edit.bind(h.port);
    h.port.edit = (ref, content) => {
      if (ref.id === h!.port.card(job.id)!.ref.id) seen.push(content.summary);
      return edit(ref, content);
    };
    await h.event(job.id, 'started', 'up');
    expect(seen.at(-1)).toContain('running');
    await h.permission(job.id, 'r-1');
    expect(seen.at(-1)).toContain('waiting for approval');
    // The card's edit came before the request's post.
    const methods = h.port.calls.map((c) => c.method);
    expect(methods.lastIndexOf('edit')).toBeLessThan(methods.lastIndexOf('postInThread'));
    const request = h.port.thread(job.id).find((m) => m.content.summary.includes('permission'))!;
    await h.people.click(request.ref, 'approve', APPROVER);
    await h.settle();
    expect(seen.at(-1)).toContain('running');
    await h.event(job.id, 'completed', 'done');
    expect(seen.at(-1)).toContain('completed');
    expect(cardText(job.id)).toContain('The job is over');
    expect(cardText(job.id)).not.toContain('follow in the thread');
    expect(seen).toHaveLength(4);
  });

  it('with pacing: the status edit waits its turn after the event, and changes meanwhile make one edit', async () => {
    h = new ChatHarness({ runners: [runner('online')], channelIntervalMs: 1000 });
    const job = await h.register();
    await advance(5000);
    const t = Date.now();
    await h.event(job.id, 'started', 'up');
    await h.permission(job.id, 'r-1');
    const now = h.port.calls.filter((c) => c.at >= t && c.channel === CHANNEL).map((c) => c.method);
    expect(now).toEqual(['postInThread', 'postInThread']);
    await advance(5000);
    // running, then waiting for approval, while the edit waited: one edit, a full interval later.
    const edits = h.port.calls.filter((c) => c.at >= t && c.method === 'edit');
    expect(edits).toHaveLength(1);
    expect(edits[0]!.at - t).toBeGreaterThanOrEqual(1000);
    expect(cardText(job.id)).toContain('waiting for approval');
  });

  it('without pacing, progress before a request is shown before it (seq order), not after', async () => {
    h = new ChatHarness({ runners: [runner('online')] });
    const job = await h.register();
    await h.event(job.id, 'progress', 'reading');
    await h.event(job.id, 'progress', 'planning the edit');
    await h.permission(job.id, 'r-1');
    const thread = h.port.thread(job.id);
    const status = thread.findIndex((m) => m.content.summary.includes('planning the edit'));
    const request = thread.findIndex((m) => plainText(m.content).includes('Permission needed'));
    expect(status).toBeGreaterThan(-1);
    expect(status).toBeLessThan(request);
    expect(request).toBe(thread.length - 1);
  });
});
