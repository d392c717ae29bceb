/**
 * Per-channel pacing (Slack: about one call per second per channel): edits of permission requests
 * and of job cards are calls against the channel's limit like posts, so a progress edit right
 * after them waits its turn instead of going out in the same second.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MemoryCall } from '../../../src/chat/memory-port.js';
import { APPROVER, CHANNEL, ChatHarness } from './harness.js';

const INTERVAL = 1000;
let h: ChatHarness;
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: Date.parse('2026-06-21T10:00:00Z'),
  });
  h = new ChatHarness({ channelIntervalMs: INTERVAL });
});
afterEach(() => {
  h.close();
  vi.useRealTimers();
});

async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await h.settle();
}

/** Message calls (not link look-ups) in the channel from `from` on. */
const paced = (from: number): MemoryCall[] =>
  h.port.calls.filter((c) => c.channel === CHANNEL && c.method !== 'linkTo' && c.at >= from);

/** A job with its status message posted, and the channel's budget free again. */
async function jobWithStatus() {
  const job = await h.register();
  await h.event(job.id, 'progress', 'step 1');
  await advance(10_000);
  return job;
}

describe('channel pacing counts edits', () => {
  it('a decided request’s edit makes the next progress edit wait a full interval', async () => {
    const job = await jobWithStatus();
    await h.permission(job.id, 'r-1');
    await advance(10_000);
    const t = Date.now();
    const request = h.port.thread(job.id).find((m) => m.content.summary.includes('permission'))!;
    await h.people.click(request.ref, 'approve', APPROVER);
    await h.settle();
    await h.event(job.id, 'progress', 'step 2');
    await advance(5 * INTERVAL);
    // The request's edit, then the card (running again) and the progress, each waiting its turn.
    const calls = paced(t);
    expect(calls.map((c) => c.method)).toEqual(['edit', 'edit', 'edit']);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(INTERVAL);
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(INTERVAL);
    expect(h.port.card(job.id)!.content.summary).toContain('running');
  });

  it('the card edit at a job’s end counts too: another job’s progress edit waits behind all of it', async () => {
    const ending = await jobWithStatus();
    const busy = await jobWithStatus();
    const t = Date.now();
    await h.event(ending.id, 'completed', 'done');
    // Thread post, announcement, card edit: three calls at once against the channel's budget.
    expect(paced(t).map((c) => c.method)).toEqual(['postInThread', 'announce', 'edit']);
    await h.event(busy.id, 'progress', 'step 2');
    await advance(10 * INTERVAL);
    const next = paced(t)[3]!;
    expect(next.method).toBe('edit');
    expect(next.at - t).toBeGreaterThanOrEqual(3 * INTERVAL);
  });
});
