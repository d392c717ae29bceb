import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import { permissionRequest } from '../../../src/jobs/queries.js';
import { ALICE, APPROVER, BOB, ChatHarness, MALLORY } from './harness.js';

let h: ChatHarness;
const T0 = Date.parse('2026-06-21T10:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: T0,
  });
  h = new ChatHarness({ policy: { approverRoles: ['S0ONCALL'] } });
});
afterEach(() => {
  h.close();
  vi.useRealTimers();
});

async function pending() {
  const job = await h.register();
  await h.permission(job.id, 'r-1', 'Bash', { command: 'npm test' });
  const msg = h.port.thread(job.id)[1]!;
  return { job, msg };
}

const buttons = (m: { content: { blocks: Array<{ kind: string }> } }) =>
  m.content.blocks.filter((b) => b.kind === 'actions');
const req = (jobId: string, id = 'r-1') => permissionRequest(h.db, jobId, id)!;
const text = (ms: Array<{ summary: string; blocks: unknown[] }>) =>
  ms.map((m) => plainText(m as never)).join('\n');

describe('buttons', () => {
  it('Approve: the same decision as `hermes jobs decide`, published signed; the message says who and when, buttons gone', async () => {
    const { job, msg } = await pending();
    const { replies } = await h.people.click(msg.ref, 'approve', APPROVER);
    await h.settle();
    expect(replies).toEqual([]);
    expect(req(job.id)).toMatchObject({
      status: 'approved',
      decided_by: `slack:${APPROVER}`,
      approve_scope: 'request',
    });
    const published = h.bus.published.find((p) => p.topic === `hermes/jobs/${job.id}/decisions/r-1`)!;
    expect(published.retain).toBe(true);
    expect(JSON.parse(published.payload).data).toMatchObject({
      decision: 'approve',
      decided_by: `slack:${APPROVER}`,
      request_id: 'r-1',
    });
    expect(buttons(msg)).toEqual([]);
    expect(plainText(msg.content)).toContain(`✅ Approved by @${APPROVER} at 2026-06-21T10:00:00.000Z`);
    expect(msg.edits).toHaveLength(1);
    expect(h.registry.require(job.id).status).toBe('running');
    expect(h.chatAudit().at(-1)).toMatchObject({
      verdict: 'accepted',
      action: 'decide',
      decision: 'approve',
      job_id: job.id,
      request_id: 'r-1',
    });
  });

  it('Approve <rule> for this job: grants the proposed rule; later calls it covers are approved and counted in the status message', async () => {
    const { job, msg } = await pending();
    const labels = (buttons(msg)[0] as unknown as { buttons: Array<{ label: string; value: string }> })
      .buttons;
    expect(labels.map((b) => b.label)).toEqual(['Approve', 'Approve Bash(npm test:*) for this job', 'Deny']);
    // The rule is kept server-side: the button carries only the request.
    expect(labels[1]!.value).toBe(`${job.id} r-1`);
    await h.people.click(msg.ref, 'approve_job', ALICE);
    await h.settle();
    expect(req(job.id)).toMatchObject({ status: 'approved', approve_scope: 'request' });
    expect(plainText(msg.content)).toContain(`✅ Approved by @${ALICE}`);
    expect(plainText(msg.content)).toContain('allowing Bash(npm test:*) for this job');
    expect(h.chatAudit().at(-1)).toMatchObject({
      decision: 'approve',
      detail: 'granted allow rule Bash(npm test:*)',
    });
    await h.permission(job.id, 'r-2', 'Bash', { command: 'npm test -- relay' });
    await vi.advanceTimersByTimeAsync(6000);
    await h.settle();
    expect(req(job.id, 'r-2')).toMatchObject({
      status: 'approved',
      decided_by: `hermes:auto:slack:${ALICE}`,
    });
    // Not posted as a request: counted in the job's status message.
    const status = h.port.thread(job.id)[2]!;
    expect(buttons(status)).toEqual([]);
    expect(plainText(status.content)).toContain('🤖 Auto-allowed 1 call: Bash 1');
    await h.permission(job.id, 'r-3', 'Bash', { command: 'npm run build' });
    expect(req(job.id, 'r-3').status).toBe('pending');
    expect(buttons(h.port.thread(job.id)[3]!)).toHaveLength(1);
  });

  it('no rule is offered for a compound command: Approve and Deny only', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', { command: 'npm test && rm -r build' });
    const msg = h.port.thread(job.id)[1]!;
    const b = (buttons(msg)[0] as unknown as { buttons: Array<{ action: string }> }).buttons;
    expect(b.map((x) => x.action)).toEqual(['approve', 'deny']);
  });

  it('a request the hook asked because of a static ask rule says so and offers no rule', async () => {
    const job = await h.register();
    await h.event(job.id, 'permission_required', undefined, {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'git push' },
      policy: {
        decision: 'ask',
        reason: 'ask rule Bash(git push:*) (bot)',
        rule: 'Bash(git push:*)',
        origin: 'bot',
        cwd: '/w',
      },
    });
    const msg = h.port.thread(job.id)[1]!;
    expect(plainText(msg.content)).toContain(
      'Asked by rule Bash(git push:*): a person answers every such call.',
    );
    const b = (buttons(msg)[0] as unknown as { buttons: Array<{ action: string }> }).buttons;
    expect(b.map((x) => x.action)).toEqual(['approve', 'deny']);
  });

  it('Deny opens the reason prompt; the submitted reason reaches the agent and the message', async () => {
    const { job, msg } = await pending();
    const { prompt } = await h.people.click(msg.ref, 'deny', ALICE);
    expect(prompt).toMatchObject({ token: `${job.id} r-1`, maxLength: 500 });
    expect(req(job.id).status).toBe('pending');
    await h.people.submitReason(prompt!, ALICE, '  not on Fridays  ');
    await h.settle();
    expect(req(job.id)).toMatchObject({ status: 'denied', reason: 'not on Fridays' });
    const wire = JSON.parse(h.bus.published.find((p) => p.topic.endsWith('/decisions/r-1'))!.payload);
    expect(wire.data).toMatchObject({ decision: 'deny', reason: 'not on Fridays' });
    expect(plainText(msg.content)).toContain(
      `⛔ Denied by @${ALICE} at 2026-06-21T10:00:00.000Z: not on Fridays`,
    );
  });

  it('two clicks at once give one decision; the later clicker is told privately who was first', async () => {
    const { job, msg } = await pending();
    const [a, b] = await Promise.all([
      h.people.click(msg.ref, 'approve', ALICE),
      h.people.click(msg.ref, 'approve', APPROVER),
    ]);
    await h.settle();
    expect(req(job.id).decided_by).toBe(`slack:${ALICE}`);
    expect(a.replies).toEqual([]);
    expect(text(b.replies)).toBe(
      `Already approved by @${ALICE} at 2026-06-21T10:00:00.000Z. Your answer was not recorded.`,
    );
    expect(h.bus.published.filter((p) => p.topic.endsWith('/decisions/r-1'))).toHaveLength(1);
    expect(msg.edits).toHaveLength(1);
  });

  it('someone else is refused privately; nothing is decided; the attempt is audited', async () => {
    const { job, msg } = await pending();
    for (const action of ['approve', 'approve_job', 'deny'] as const) {
      const { replies, prompt } = await h.people.click(msg.ref, action, MALLORY);
      expect(prompt).toBeUndefined();
      expect(text(replies)).toMatch(/You may not answer requests of .* Nothing was decided/);
    }
    expect(req(job.id).status).toBe('pending');
    expect(buttons(msg)).toHaveLength(1);
    expect(h.chatAudit().filter((r) => r.reason === 'forbidden')).toHaveLength(3);
    expect(h.chatAudit().at(-1)).toMatchObject({
      actor: `slack:${MALLORY}`,
      action: 'decide',
      job_id: job.id,
      request_id: 'r-1',
    });
    // a modal submission by someone not allowed (a forged payload) is refused too
    const replies = await h.people.submitReason(
      { title: '', label: '', submitLabel: '', maxLength: 5, token: `${job.id} r-1` },
      MALLORY,
      'x',
    );
    expect(text(replies)).toMatch(/You may not answer/);
    expect(req(job.id).status).toBe('pending');
  });

  it('a member of an approver group (role) may decide', async () => {
    const { job, msg } = await pending();
    await h.people.click(msg.ref, 'approve', BOB, { roles: ['S0ONCALL'] });
    expect(req(job.id)).toMatchObject({ status: 'approved', decided_by: `slack:${BOB}` });
  });

  it('a click with a value Hermes does not know is answered, not thrown', async () => {
    const { msg } = await pending();
    const { replies } = await h.people.clickValue(msg.ref, 'approve', 'j-nope r-nope', ALICE);
    expect(text(replies)).toContain('does not know');
    const r2 = await h.people.clickValue(msg.ref, 'approve', 'garbage', ALICE);
    expect(text(r2.replies)).toContain('does not know');
  });
});

describe('decisions made elsewhere, expiry, reminders, job end', () => {
  it('a CLI decision (`hermes jobs decide`) edits the message too', async () => {
    const { job, msg } = await pending();
    await h.bot.decisions.decide({
      jobId: job.id,
      requestId: 'r-1',
      decision: 'deny',
      by: 'cli:ops',
      reason: 'nope',
    });
    await h.settle();
    expect(plainText(msg.content)).toContain('⛔ Denied by cli:ops at 2026-06-21T10:00:00.000Z: nope');
    // a client that still shows the old buttons
    const { replies } = await h.people.clickValue(msg.ref, 'approve', `${job.id} r-1`, ALICE);
    expect(text(replies)).toContain('Already denied by cli:ops');
  });

  it('an unanswered request expires at its deadline: "expired, denied", and the agent gets a deny', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', {}, undefined, '2026-06-21T10:02:00Z');
    const msg = h.port.thread(job.id)[1]!;
    await vi.advanceTimersByTimeAsync(119_000);
    await h.bot.tick();
    await h.settle();
    expect(buttons(msg)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1000);
    await h.bot.tick();
    await h.settle();
    expect(req(job.id)).toMatchObject({ status: 'expired', decided_by: 'hermes:expired' });
    expect(plainText(msg.content)).toContain('⌛ Expired, denied at 2026-06-21T10:02:00.000Z');
    expect(buttons(msg)).toEqual([]);
    expect(
      JSON.parse(h.bus.published.find((p) => p.topic.endsWith('/decisions/r-1'))!.payload).data.decision,
    ).toBe('deny');
  });

  it('one reminder after reminder_seconds, mentioning the approvers; never a second one', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', {}, undefined, '2026-06-21T11:00:00Z');
    await vi.advanceTimersByTimeAsync(299_000);
    await h.chat.tick();
    await h.settle();
    expect(h.port.thread(job.id)).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all([h.chat.tick(), h.chat.tick()]);
    await h.settle();
    const thread = h.port.thread(job.id);
    expect(thread).toHaveLength(3);
    const reminder = thread[2]!.content;
    expect(reminder.summary).toBe(`Reminder: ${job.id} is waiting for approval of Bash`);
    const pings = reminder.blocks
      .flatMap((b) => (b.kind === 'section' ? b.spans : []))
      .filter((s) => 'notify' in s && s.notify);
    expect(pings).toEqual([
      { kind: 'user', id: APPROVER, notify: true },
      { kind: 'group', id: 'S0ONCALL', notify: true },
    ]);
    await vi.advanceTimersByTimeAsync(600_000);
    await h.chat.tick();
    await h.settle();
    expect(h.port.thread(job.id)).toHaveLength(3);
  });

  it('with no approvers configured the reminder mentions the owner', async () => {
    h.close();
    h = new ChatHarness({ policy: { approvers: [] }, settings: { reminderMs: 60_000 } });
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', {}, undefined, '2026-06-21T11:00:00Z');
    await vi.advanceTimersByTimeAsync(60_000);
    await h.chat.tick();
    await h.settle();
    const pings = h.port
      .thread(job.id)[2]!
      .content.blocks.flatMap((b) => (b.kind === 'section' ? b.spans : []))
      .filter((s) => 'notify' in s);
    expect(pings).toEqual([{ kind: 'user', id: ALICE, notify: true }]);
  });

  it('when the job ends, requests still open are closed and their buttons removed; a late click is told', async () => {
    const { job, msg } = await pending();
    await h.event(job.id, 'error', 'crashed');
    expect(buttons(msg)).toEqual([]);
    expect(plainText(msg.content)).toContain('⌛ Closed: no answer before the job ended with an error');
    const { replies } = await h.people.clickValue(msg.ref, 'approve', `${job.id} r-1`, ALICE);
    // Closed by the job's end, not decided by anyone: the reply says the job is over.
    expect(text(replies)).toBe(
      `Too late: job ${job.id} is over (ended with an error), so its requests are closed. Your answer was not recorded.`,
    );
    expect(req(job.id).status).toBe('expired');
    expect(h.chatAudit().at(-1)).toMatchObject({
      verdict: 'dropped',
      reason: 'after_terminal',
      action: 'decide',
      actor: `slack:${ALICE}`,
      job_id: job.id,
      request_id: 'r-1',
      decision: 'approve',
    });
  });
});

describe('too late: the job ended before the answer', () => {
  const tooLate = (jobId: string) =>
    `Too late: job ${jobId} is over (ended with an error), so its requests are closed. Your answer was not recorded.`;

  it('text approve naming the request after the job ended: told privately, nothing decided or published, audited', async () => {
    const { job, msg } = await pending();
    await h.event(job.id, 'error', 'crashed');
    const edits = msg.edits.length;
    const before = h.chatAudit().length;
    const replies = await h.people.command(ALICE, `approve ${job.id} r-1`);
    await h.settle();
    expect(text(replies)).toBe(tooLate(job.id));
    expect(text(replies)).not.toContain('could not do that');
    expect(req(job.id)).toMatchObject({ status: 'expired', decided_by: 'hermes:job-ended' });
    // only the empty retained payload that clears the topic at the job's end; no decision
    expect(h.bus.published.filter((p) => p.topic.endsWith('/decisions/r-1') && p.payload !== '')).toEqual([]);
    expect(msg.edits.length).toBeGreaterThanOrEqual(edits);
    expect(buttons(msg)).toEqual([]);
    expect(h.chatAudit().slice(before)).toEqual([
      expect.objectContaining({
        verdict: 'dropped',
        reason: 'after_terminal',
        action: 'decide',
        actor: `slack:${ALICE}`,
        channel: 'C1',
        job_id: job.id,
        request_id: 'r-1',
        decision: 'approve',
      }),
    ]);
    // without a request id: the job is named as over, not "has no request waiting"
    const bare = await h.people.command(APPROVER, `deny ${job.id}`);
    expect(text(bare)).toContain(`Too late: job ${job.id} is over (ended with an error)`);
  });

  it('Deny reason submitted after the job ended (the form was open while it ended): told privately, audited', async () => {
    const { job, msg } = await pending();
    const { prompt } = await h.people.click(msg.ref, 'deny', APPROVER);
    expect(prompt).toBeDefined();
    await h.event(job.id, 'error', 'crashed');
    const before = h.chatAudit().length;
    const replies = await h.people.submitReason(prompt!, APPROVER, 'too risky');
    await h.settle();
    expect(text(replies)).toBe(tooLate(job.id));
    expect(req(job.id)).toMatchObject({ status: 'expired', decided_by: 'hermes:job-ended' });
    expect(req(job.id).reason).not.toBe('too risky');
    // only the empty retained payload that clears the topic at the job's end; no decision
    expect(h.bus.published.filter((p) => p.topic.endsWith('/decisions/r-1') && p.payload !== '')).toEqual([]);
    expect(h.chatAudit().slice(before)).toEqual([
      expect.objectContaining({
        verdict: 'dropped',
        reason: 'after_terminal',
        action: 'decide',
        actor: `slack:${APPROVER}`,
        job_id: job.id,
        request_id: 'r-1',
        decision: 'deny',
      }),
    ]);
  });

  it('a click racing the job end (decide() refuses after the click was checked) gets the same answer', async () => {
    const { job, msg } = await pending();
    // The job ends after the flow looked at it but before decide() runs.
    const real = h.bot.decisions.decide.bind(h.bot.decisions);
    const spy = vi.spyOn(h.bot.decisions, 'decide').mockImplementationOnce(async (input) => {
      h.registry.transition(job.id, 'error', 'crashed');
      return real(input);
    });
    const { replies } = await h.people.click(msg.ref, 'approve', ALICE);
    await h.settle();
    spy.mockRestore();
    expect(text(replies)).toBe(tooLate(job.id));
    expect(req(job.id).status).toBe('expired');
    expect(h.chatAudit().at(-1)).toMatchObject({ reason: 'after_terminal', job_id: job.id });
  });
});
