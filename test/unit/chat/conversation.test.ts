/**
 * A conversation in chat: the idle state on the card, the turn's end told once in the thread and
 * in the channel, `/hermes reply` and `done` queued for the runner (and refused for people who
 * may not, for ended jobs and for profiles without follow-ups), cost on the card, the
 * announcement, status and `/hermes usage`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { unsentFollowups } from '../../../src/jobs/followups.js';
import { ALICE, APPROVER, BOB, CHANNEL, ChatHarness, MALLORY } from './harness.js';

let h: ChatHarness;
beforeEach(() => {
  h = new ChatHarness({
    runners: [
      { id: 'local', state: 'online', profiles: ['demo', 'claude'], lastSeen: '2026-06-21T10:00:00.000Z' },
    ],
  });
});
afterEach(() => h.close());

const texts = (ms: ChatMessage[]) => ms.map((m) => plainText(m)).join('\n');
const usage = (cost: number, turns: number) => ({
  input_tokens: 100 * turns,
  output_tokens: 500 * turns,
  cache_read_tokens: 30000 * turns,
  cache_write_tokens: 2000 * turns,
  cost_usd: cost,
  agent_turns: 3 * turns,
  turns,
});

async function idleJob() {
  const job = await h.register(ALICE, 'register claude --max-cost 2 fix the flaky test');
  await h.event(job.id, 'started', 'claude agent started', { followup: 'resume' });
  await h.event(job.id, 'progress', 'Turn 1 finished: Fixed it.', {
    state: 'idle',
    turn: 1,
    usage: usage(0.25, 1),
    result: 'Fixed it. All 212 tests pass.',
  });
  return job;
}

describe('a conversation in chat', () => {
  it('idle: the card waits for you with the cost, the turn end is told once in the thread and the channel', async () => {
    const job = await idleJob();
    expect(h.registry.require(job.id)).toMatchObject({ status: 'idle', maxCostUsd: 2 });
    const card = plainText(h.port.card(job.id)!.content);
    expect(card).toContain('waiting for you');
    expect(card).toContain('Cost: $0.2500');
    expect(card).toContain('Budget: $2.00');
    expect(h.port.threadText(job.id).join('\n')).toContain('Fixed it. All 212 tests pass.');
    const told = h.port
      .announcements(CHANNEL)
      .filter((m) => plainText(m.content).includes('finished turn 1'));
    expect(told).toHaveLength(1);
  });

  it('/hermes reply queues the text verbatim for the runner; a running job queues it until the turn ends', async () => {
    const job = await idleJob();
    const kicks = h.runners.calls.kick;
    const r = await h.people.command(BOB, `reply ${job.id} now also fix the lint, don't rename "it"`);
    expect(texts(r)).toContain('its next turn starts now');
    expect(h.runners.calls.kick).toBe(kicks + 1);
    expect(unsentFollowups(h.db)).toEqual([
      expect.objectContaining({
        jobId: job.id,
        kind: 'reply',
        text: `now also fix the lint, don't rename "it"`,
        by: `slack:${BOB}`,
      }),
    ]);

    await h.event(job.id, 'progress', 'Turn 2: now also fix the lint', {
      state: 'running',
      turn: 2,
      by: `slack:${BOB}`,
    });
    expect(h.registry.require(job.id).status).toBe('running');
    expect(plainText(h.port.card(job.id)!.content)).toContain('running');
    const queued = await h.people.command(ALICE, `reply ${job.id} and the docs`);
    expect(texts(queued)).toContain('waits until that turn ends');
  });

  it('others may not reply: refused privately, audited, nothing queued', async () => {
    const job = await idleJob();
    const r = await h.people.command(MALLORY, `reply ${job.id} rm -rf /`);
    expect(texts(r)).toMatch(/^Not allowed: you may not follow up/);
    expect(unsentFollowups(h.db)).toEqual([]);
    expect(h.chatAudit().at(-1)).toMatchObject({
      verdict: 'dropped',
      action: 'reply',
      actor: `slack:${MALLORY}`,
    });
  });

  it('done ends an idle job; the completion is announced once, with the summed cost', async () => {
    const job = await idleJob();
    expect(texts(await h.people.command(APPROVER, `done ${job.id}`))).toContain(`Ending ${job.id}`);
    expect(unsentFollowups(h.db)).toEqual([
      expect.objectContaining({ kind: 'done', by: `slack:${APPROVER}` }),
    ]);
    await h.event(job.id, 'completed', 'claude agent finished after 2 turns (ended by slack:U0APPROVER)', {
      exit_code: 0,
      usage: usage(0.5, 2),
    });
    const done = h.port.announcements(CHANNEL).filter((m) => plainText(m.content).includes('completed'));
    expect(done).toHaveLength(1);
    expect(plainText(done[0]!.content)).toContain(
      'Cost: $0.5000 · 200 in / 1000 out · cache 60k read, 4000 written · 2 turns',
    );
    expect(plainText(h.port.card(job.id)!.content)).toContain('Cost: $0.5000');

    expect(texts(await h.people.command(ALICE, `reply ${job.id} one more thing`))).toMatch(
      /has ended \(completed\)/,
    );
    expect(texts(await h.people.command(ALICE, `status ${job.id}`))).toContain('$0.5000');
    const u = texts(await h.people.command(APPROVER, 'usage today'));
    expect(u).toContain('$0.5000 · 200 in / 1000 out');
    expect(u).toContain(`slack:${ALICE}`);
  });

  it('a job whose profile takes no follow-ups refuses them; a job not started yet too', async () => {
    const pending = await h.register(ALICE, 'register demo tidy');
    expect(texts(await h.people.command(ALICE, `reply ${pending.id} hello`))).toMatch(/has not started yet/);
    await h.event(pending.id, 'started', 'demo agent started');
    expect(texts(await h.people.command(ALICE, `reply ${pending.id} hello`))).toMatch(/takes no follow-ups/);
    expect(unsentFollowups(h.db)).toEqual([]);

    // The wrapper said why (the built-in codex where the installed Codex has no `exec resume`).
    const codex = await h.register(ALICE, 'register demo tidy');
    const why = 'this Codex (codex-cli 0.36.0) has no `codex exec resume`';
    await h.event(codex.id, 'started', 'codex started', { followup_reason: why });
    expect(texts(await h.people.command(ALICE, `reply ${codex.id} hello`))).toContain(
      `takes no follow-ups (${why})`,
    );
    expect(unsentFollowups(h.db)).toEqual([]);
  });

  it('a message in the thread from someone allowed is a reply; from anyone else nothing, not even an audit line', async () => {
    const job = await idleJob();
    const thread = { channel: CHANNEL, id: h.port.card(job.id)!.ref.id };
    const audits = h.chatAudit().length;
    expect(await h.people.inThread(thread, MALLORY, 'please run rm -rf /')).toEqual([]);
    expect(unsentFollowups(h.db)).toEqual([]);
    expect(h.chatAudit()).toHaveLength(audits);

    const r = await h.people.inThread(thread, BOB, 'now also the docs');
    expect(texts(r)).toContain('its next turn starts now');
    expect(unsentFollowups(h.db)).toEqual([
      expect.objectContaining({ jobId: job.id, text: 'now also the docs', by: `slack:${BOB}` }),
    ]);
    // Threads that are no job's, and jobs without follow-ups, are left alone.
    expect(await h.people.inThread({ channel: CHANNEL, id: 'no-such-thread' }, BOB, 'hi')).toEqual([]);
    const demo = await h.register(ALICE, 'register demo tidy');
    await h.event(demo.id, 'started', 'demo agent started');
    expect(
      await h.people.inThread({ channel: CHANNEL, id: h.port.card(demo.id)!.ref.id }, ALICE, 'chatting'),
    ).toEqual([]);
    expect(unsentFollowups(h.db)).toHaveLength(1);
  });
});
