/**
 * Jobs registered with --no-auth (no token, so their events are not signed) are marked wherever
 * chat shows them: the card, `/hermes list`, `/hermes status`, and every event relayed from them.
 * Signed jobs carry no such mark.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import type { Job } from '../../../src/jobs/job.js';
import { ALICE, CHANNEL, ChatHarness } from './harness.js';

let h: ChatHarness;
beforeEach(() => {
  h = new ChatHarness({ settings: { defaultChannel: CHANNEL } });
});
afterEach(() => h.close());

const texts = (ms: Array<{ blocks: unknown[]; summary: string }>) =>
  ms.map((m) => plainText(m as Parameters<typeof plainText>[0])).join('\n');

function cliJob(auth: 'none' | 'generate'): Job {
  return h.registry.register({
    profile: 'demo',
    owner: 'cli:ops',
    prompt: 'from the CLI',
    ...(auth === 'none' ? { auth: { kind: 'none' as const } } : {}),
  });
}

async function runThrough(job: Job): Promise<void> {
  await h.event(job.id, 'started', 'up');
  await h.event(job.id, 'progress', 'step 1');
  await h.permission(job.id, 'r-1');
  await h.event(job.id, 'completed', 'done');
}

describe('unsigned (--no-auth) jobs in chat', () => {
  it('the card, every relayed event and the announcement say unsigned / unverified', async () => {
    const job = cliJob('none');
    expect(job.auth).toBe('none');
    await runThrough(job);
    const [card, ...posts] = h.port.thread(job.id);
    expect(plainText(card!.content)).toContain('⚠ unsigned');
    expect(plainText(card!.content)).toContain('registered with --no-auth');
    expect(card!.content.summary).toContain('unsigned');
    // The status message (progress) lands whenever its coalescing timer fires: order aside.
    expect(posts.map((m) => m.content.summary).sort()).toEqual(
      [
        `${job.id} started (unverified)`,
        `${job.id}: step 1 (unverified)`,
        `${job.id}: expired for Bash (unverified)`,
        `${job.id} completed (unverified)`,
      ].sort(),
    );
    for (const m of posts) expect(plainText(m.content)).toContain('⚠ Unverified');
    const [announcement] = h.port.announcements(CHANNEL);
    expect(announcement!.content.summary).toContain('(unverified)');
    expect(plainText(announcement!.content)).toContain('⚠ Unverified');
  });

  it('/hermes list and /hermes status mark it; the latest event shows as unverified', async () => {
    const unsigned = cliJob('none');
    const signed = cliJob('generate');
    await h.event(unsigned.id, 'started', 'up');
    await h.event(signed.id, 'started', 'up');
    const list = texts(await h.people.command(ALICE, 'list'));
    const line = (id: string) => list.split('\n').find((l) => l.includes(id))!;
    expect(line(unsigned.id)).toContain('⚠ unsigned');
    expect(line(signed.id)).not.toContain('unsigned');
    const status = texts(await h.people.command(ALICE, `status ${unsigned.id}`));
    expect(status).toContain('⚠ unsigned');
    expect(status).toContain('registered with --no-auth');
    expect(status).toContain('Latest event #1 started (unverified)');
    const signedStatus = texts(await h.people.command(ALICE, `status ${signed.id}`));
    expect(signedStatus).not.toMatch(/unsigned|unverified/i);
  });

  it('a signed job shows no such mark anywhere', async () => {
    const job = cliJob('generate');
    await runThrough(job);
    const all = [...h.port.thread(job.id), ...h.port.announcements(CHANNEL)];
    for (const m of all) {
      expect(plainText(m.content)).not.toMatch(/unsigned|unverified/i);
      expect(m.content.summary).not.toMatch(/unsigned|unverified/i);
    }
  });
});
