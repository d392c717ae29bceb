import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
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

const texts = (ms: { summary: string; blocks: unknown[] }[]) =>
  ms.map((m) => plainText(m as never)).join('\n');

describe('/hermes register', () => {
  it('registers the job for the sender, posts the card in the channel, opens its thread and kicks the runners', async () => {
    const replies = await h.people.command(
      ALICE,
      'register demo --runner local --cwd /srv/app "tidy the README"',
    );
    await h.settle();
    const [job] = h.registry.list();
    expect(job).toMatchObject({
      profile: 'demo',
      runner: 'local',
      cwd: '/srv/app',
      prompt: 'tidy the README',
      owner: `slack:${ALICE}`,
      auth: 'token',
    });
    const card = h.port.card(job!.id)!;
    expect(card.ref.channel).toBe(CHANNEL);
    expect(plainText(card.content)).toContain('tidy the README');
    expect(plainText(card.content)).toContain(`@${ALICE}`);
    expect(h.registry.require(job!.id).chat).toEqual({
      platform: 'slack',
      channel: CHANNEL,
      thread: card.ref.id,
    });
    expect(h.runners.calls.kick).toBe(1);
    expect(texts(replies)).toContain(`Registered ${job!.id}`);
    expect(h.chatAudit()).toEqual([
      expect.objectContaining({
        verdict: 'accepted',
        action: 'register',
        actor: `slack:${ALICE}`,
        job_id: job!.id,
      }),
    ]);
  });

  it('keeps the prompt as typed, quotes and all, after the flags', async () => {
    // Two jobs registered in the same millisecond list in id order: find each by its profile.
    await h.people.command(ALICE, 'register claude fix the "flaky" test --now');
    await h.people.command(ALICE, 'register demo --runner=local “tidy it”');
    const prompts = Object.fromEntries(h.registry.list().map((j) => [j.profile, j.prompt]));
    expect(prompts).toEqual({ claude: 'fix the "flaky" test --now', demo: 'tidy it' });
  });

  it('answers bad input with usage help only the sender sees, and registers nothing', async () => {
    for (const bad of [
      'register',
      'register demo',
      'register Demo! x',
      'register demo --gpu 2 x',
      'register demo --runner',
      'register demo "open quote',
    ]) {
      const replies = await h.people.command(ALICE, bad);
      expect(replies, bad).toHaveLength(1);
      expect(texts(replies)).toContain('/hermes register <profile>');
    }
    expect(h.registry.list()).toEqual([]);
    expect(h.port.messages).toEqual([]);
  });

  it('refuses a profile the runner does not offer, naming the ones it has', async () => {
    const replies = await h.people.command(ALICE, 'register nope do it');
    expect(texts(replies)).toMatch(/runner local has no profile "nope" \(it has: demo, claude\)/);
    expect(h.registry.list()).toEqual([]);
  });

  it('refuses people not allowed to register, privately, and audits the attempt', async () => {
    const replies = await h.people.command(MALLORY, 'register demo do evil');
    expect(texts(replies)).toMatch(/Not allowed/);
    expect(h.registry.list()).toEqual([]);
    expect(h.port.messages).toEqual([]);
    expect(h.chatAudit()).toEqual([
      expect.objectContaining({
        verdict: 'dropped',
        reason: 'forbidden',
        action: 'register',
        actor: `slack:${MALLORY}`,
      }),
    ]);
  });

  it('cancels the job when its card cannot be posted (the bot is not in the channel)', async () => {
    h.port.failNext('postJobCard', new Error('not_in_channel'));
    const replies = await h.people.command(ALICE, 'register demo tidy');
    expect(texts(replies)).toMatch(
      /Could not post in this channel \(not_in_channel\), so job j-\w+ was cancelled/,
    );
    expect(h.registry.list()[0]!.status).toBe('cancelled');
    expect(h.runners.calls.kick).toBe(0);
  });
});

describe('other commands', () => {
  it('help and unknown commands answer privately with every usage line', async () => {
    for (const text of ['help', 'frobnicate', '']) {
      const replies = await h.people.command(MALLORY, text);
      const t = texts(replies);
      for (const name of [
        'register',
        'list',
        'status',
        'cancel',
        'peek',
        'runners',
        'approve',
        'deny',
        'help',
      ])
        expect(t).toContain(`/hermes ${name}`);
    }
    expect(h.port.messages).toEqual([]);
  });

  it('list shows live jobs; list all includes finished ones', async () => {
    const a = await h.register(ALICE, 'register demo first');
    const b = await h.register(BOB, 'register demo second');
    await h.event(b.id, 'completed', 'done');
    const live = texts(await h.people.command(ALICE, 'list'));
    expect(live).toContain(a.id);
    expect(live).not.toContain(b.id);
    expect(texts(await h.people.command(ALICE, 'list all'))).toContain(b.id);
    expect(texts(await h.people.command(MALLORY, 'list'))).toMatch(/Not allowed/);
  });

  it('status shows the job, its open requests and its latest event', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', { command: 'ls' }, 'list files');
    const t = texts(await h.people.command(APPROVER, `status ${job.id}`));
    expect(t).toContain(`Job ${job.id}`);
    expect(t).toContain('waiting for approval');
    expect(t).toContain('r-1');
    expect(t).toContain('Latest event #1 permission_required: list files');
    expect(texts(await h.people.command(ALICE, 'status j-nope'))).toContain('no job j-nope');
    expect(texts(await h.people.command(ALICE, 'status'))).toContain('/hermes status <job id>');
  });

  it('cancel: the owner or an approver; the thread says who, the card shows it, others are refused', async () => {
    const job = await h.register();
    expect(texts(await h.people.command(BOB, `cancel ${job.id}`))).toMatch(/Not allowed/);
    expect(h.registry.require(job.id).status).toBe('pending');
    expect(h.chatAudit().at(-1)).toMatchObject({ verdict: 'dropped', action: 'cancel', job_id: job.id });

    expect(texts(await h.people.command(APPROVER, `cancel ${job.id}`))).toContain(`Cancelled ${job.id}`);
    await h.settle();
    expect(h.runners.calls.cancel).toEqual([`${job.id} slack:${APPROVER}`]);
    expect(h.registry.require(job.id).status).toBe('cancelled');
    expect(h.port.threadText(job.id).at(-1)).toBe(`⏹ Cancelled by @${APPROVER}`);
    expect(plainText(h.port.card(job.id)!.content)).toContain('cancelled');
    expect(texts(await h.people.command(ALICE, `cancel ${job.id}`))).toContain('already been cancelled');
  });

  it('peek posts the last lines of the pane as a code block in the thread', async () => {
    const job = await h.register();
    const replies = await h.people.command(ALICE, `peek ${job.id} 5`);
    await h.settle();
    expect(h.runners.calls.peek).toEqual([[job.id, 5]]);
    expect(texts(replies)).toContain('Posted in the thread');
    const last = h.port.thread(job.id).at(-1)!.content;
    expect(last.blocks.find((b) => b.kind === 'code')).toEqual({
      kind: 'code',
      text: 'line 1\nline 2 <!channel>',
    });
    expect(texts(await h.people.command(ALICE, `peek ${job.id} 9999`))).toContain('at most 200 lines');
    expect(texts(await h.people.command(MALLORY, `peek ${job.id}`))).toMatch(/Not allowed/);
  });

  it('runners lists runners with state and profiles', async () => {
    const t = texts(await h.people.command(ALICE, 'runners'));
    expect(t).toContain('local online · profiles: demo, claude');
  });
});

describe('/hermes approve | deny', () => {
  it('with no ids answers the only pending request, or lists them when there are several', async () => {
    const a = await h.register();
    await h.permission(a.id, 'r-1');
    const none = texts(await h.people.command(BOB, 'approve'));
    expect(none).toContain('Nothing is waiting for your answer');
    await h.people.command(ALICE, 'approve');
    await h.settle();
    expect(h.registry.db.prepare('SELECT status, decided_by FROM permission_requests').get()).toEqual({
      status: 'approved',
      decided_by: `slack:${ALICE}`,
    });

    await h.permission(a.id, 'r-2', 'Write');
    await h.permission(a.id, 'r-3', 'Edit');
    const several = texts(await h.people.command(APPROVER, 'deny'));
    expect(several).toContain('2 requests are waiting');
    expect(several).toContain('r-2');
    expect(several).toContain('r-3');
    await h.people.command(APPROVER, `deny ${a.id} r-3 not this file`);
    await h.settle();
    const r3 = h.registry.db
      .prepare(`SELECT status, reason FROM permission_requests WHERE request_id = 'r-3'`)
      .get();
    expect(r3).toEqual({ status: 'denied', reason: 'not this file' });
    await h.people.command(APPROVER, `deny ${a.id} too risky`);
    await h.settle();
    expect(
      h.registry.db.prepare(`SELECT status, reason FROM permission_requests WHERE request_id = 'r-2'`).get(),
    ).toEqual({ status: 'denied', reason: 'too risky' });
  });

  it('refuses someone who is neither owner nor approver and decides nothing', async () => {
    const a = await h.register();
    await h.permission(a.id, 'r-1');
    const t = texts(await h.people.command(BOB, `approve ${a.id} r-1`));
    expect(t).toMatch(/You may not answer requests of/);
    expect(h.registry.db.prepare('SELECT status FROM permission_requests').get()).toEqual({
      status: 'pending',
    });
    expect(h.chatAudit().at(-1)).toMatchObject({
      verdict: 'dropped',
      action: 'decide',
      actor: `slack:${BOB}`,
      job_id: a.id,
      request_id: 'r-1',
    });
  });
});
