/**
 * Buttons and the reason modal through the real discord.js Client: an unauthorised click is
 * refused privately and decides nothing, a double click decides once and tells the later clicker
 * who was first, Deny opens a modal (as the first answer) whose reason reaches the waiting agent.
 */
import { readFileSync } from 'node:fs';
import { MessageFlags } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHAT_AUDIT_FILE } from '../../../src/chat/attach.js';
import { grantedRulesOf } from '../../../src/jobs/granted-rules.js';
import { permissionRequestsOf } from '../../../src/jobs/queries.js';
import { auditPath } from '../../../src/relay/audit.js';
import { DISCORD } from '../../fakes/discord/index.js';
import { waitFor } from '../../helpers/wait.js';
import {
  APPROVER,
  buttonsOf,
  callbackOf,
  DiscordWorld,
  OWNER,
  STRANGER,
  spawnAgent,
  webhookOf,
} from './support.js';

type Json = Record<string, unknown>;
let world: DiscordWorld;

beforeEach(async () => {
  world = await DiscordWorld.start();
});
afterEach(async () => {
  await world.close();
});

async function pendingRequest(requestId = 'r-1') {
  const { job, threadId } = await world.register();
  world.event(job.id, 'permission_required', 'run the tests?', {
    request_id: requestId,
    tool: 'Bash',
    input: { command: 'npm test' },
  });
  const message = await world.waitForMessage(threadId, (m) => 'Approve' in buttonsOf(m), 'request buttons');
  return { job, threadId, message, buttons: buttonsOf(message) };
}

const chatAudit = (): Json[] =>
  readFileSync(auditPath(world.home, CHAT_AUDIT_FILE), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);

const statusOf = (jobId: string) => permissionRequestsOf(world.bot.db, jobId).map((r) => r.status);

describe('Discord decisions', () => {
  it('an unauthorised click is refused privately and decides nothing', async () => {
    const { job, message, buttons } = await pendingRequest();
    const click = world.click(String(message.id), buttons.Approve!, STRANGER);
    const refusal = await world.privateReply(click);
    expect(Number((refusal.body as Json).flags) & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(String((refusal.body as Json).content)).toMatch(/You may not answer requests of/);
    expect(statusOf(job.id)).toEqual(['pending']);
    expect(Object.keys(buttonsOf(world.fake.state.messages.get(String(message.id))!))).toContain('Approve');
    expect(chatAudit().at(-1)).toMatchObject({
      verdict: 'dropped',
      reason: 'forbidden',
      action: 'decide',
      actor: `discord:${STRANGER.id}`,
      job_id: job.id,
    });

    // Deny by a stranger: refused as the FIRST answer (no modal for them).
    const deny = world.click(String(message.id), buttons.Deny!, STRANGER);
    const answer = await world.fake.waitForCall('POST', callbackOf(deny));
    expect(answer.body).toMatchObject({
      type: 4,
      data: { flags: MessageFlags.Ephemeral | MessageFlags.SuppressEmbeds },
    });
    expect(statusOf(job.id)).toEqual(['pending']);
  });

  it('a double click decides once; the later clicker is told who was first', async () => {
    const { job, message, buttons } = await pendingRequest();
    const first = world.click(String(message.id), buttons.Approve!, APPROVER, [DISCORD.approverRoleId]);
    await world.fake.waitForCall('POST', callbackOf(first));
    await waitFor(() => statusOf(job.id)[0] === 'approved', { timeoutMs: 5000, message: 'approved' });
    // The owner clicks the (stale) button too.
    const second = world.click(String(message.id), buttons['Approve Bash(npm test:*) for this job']!, OWNER);
    const told = await world.privateReply(second);
    expect(String((told.body as Json).content)).toMatch(
      new RegExp(`Already approved.* by <@${APPROVER.id}>`),
    );
    expect(statusOf(job.id)).toEqual(['approved']);
    const req = permissionRequestsOf(world.bot.db, job.id)[0]!;
    expect(req).toMatchObject({ decided_by: `discord:${APPROVER.id}`, approve_scope: 'request' });
    // One accepted decision in the chat audit log, none for the second click.
    const decides = chatAudit().filter((r) => r.action === 'decide' && r.verdict === 'accepted');
    expect(decides).toEqual([expect.objectContaining({ actor: `discord:${APPROVER.id}`, job_id: job.id })]);
  });

  it('Deny opens a modal first; the reason reaches the waiting agent', async () => {
    const { job, threadId } = await world.register();
    const ask = spawnAgent(
      ['ask', '--tool', 'Bash', '--input', '{"command":"rm -rf build"}', '--timeout', '30'],
      world.agentEnv(job),
    );
    const message = await world.waitForMessage(threadId, (m) => 'Deny' in buttonsOf(m), 'request buttons');
    const click = world.click(String(message.id), buttonsOf(message).Deny!, OWNER);
    const modal = await world.fake.waitForCall('POST', callbackOf(click));
    const data = (modal.body as Json).data as Json;
    expect(modal.body).toMatchObject({ type: 9, data: { title: 'Deny the request' } });
    expect(world.fake.calls.filter((c) => callbackOf(click).test(c.path))).toHaveLength(1);

    const submit = world.fake.sendInteraction(
      world.fake.interactions.modalSubmit({
        customId: String(data.custom_id),
        fields: { reason: 'not on the shared box' },
        message: String(message.id),
      }),
    );
    expect((await world.fake.waitForCall('POST', callbackOf(submit))).body).toEqual({ type: 6 });
    const answered = await ask.done;
    expect(answered.code, answered.stderr).toBe(1);
    expect(JSON.parse(answered.stdout)).toMatchObject({
      decision: 'deny',
      decided_by: `discord:${OWNER.id}`,
      reason: 'not on the shared box',
    });
    await waitFor(
      () => String(world.fake.state.messages.get(String(message.id))?.content).includes('Denied'),
      {
        timeoutMs: 5000,
        message: 'the request edited to denied',
      },
    );
    expect(String(world.fake.state.messages.get(String(message.id))!.content)).toContain(
      'not on the shared box',
    );
    expect(world.fake.calls.some((c) => webhookOf(submit).test(c.path))).toBe(false);
  });

  it('a button Hermes did not make is answered privately and ignored', async () => {
    const { job, message } = await pendingRequest();
    const click = world.click(String(message.id), 'hermes:launch:j-x r-1', OWNER);
    const answer = await world.fake.waitForCall('POST', callbackOf(click));
    expect(answer.body).toMatchObject({
      type: 4,
      data: { content: expect.stringMatching(/not one Hermes knows/) },
    });
    expect(statusOf(job.id)).toEqual(['pending']);
  });

  it('the Approve <rule> button grants the proposed rule; /hermes approve with a rule option, and /hermes rules', async () => {
    const { job, message, buttons } = await pendingRequest();
    expect(Object.keys(buttons)).toEqual(['Approve', 'Approve Bash(npm test:*) for this job', 'Deny']);
    // The custom_id carries the request only (the rule is kept by the bot), well within 100 characters.
    expect(buttons['Approve Bash(npm test:*) for this job']).toBe(`hermes:approve_job:${job.id} r-1`);
    const click = world.click(String(message.id), buttons['Approve Bash(npm test:*) for this job']!, OWNER);
    await world.fake.waitForCall('POST', callbackOf(click));
    await waitFor(() => statusOf(job.id)[0] === 'approved', { timeoutMs: 5000, message: 'approved' });
    expect(grantedRulesOf(world.bot.db, job.id)).toMatchObject([
      { kind: 'allow', rule: 'Bash(npm test:*)', granted_by: `discord:${OWNER.id}` },
    ]);

    world.event(job.id, 'permission_required', 'lint?', {
      request_id: 'r-2',
      tool: 'Bash',
      input: { command: 'npm run lint' },
    });
    await waitFor(() => statusOf(job.id).length === 2, { timeoutMs: 5000, message: 'second request' });
    const { reply } = await world.command('approve', {
      job: job.id,
      request: 'r-2',
      rule: 'Bash(npm run lint:*)',
    });
    expect(reply).toContain('Allowed for the rest of the job:');
    expect(grantedRulesOf(world.bot.db, job.id).map((g) => g.rule)).toEqual([
      'Bash(npm test:*)',
      'Bash(npm run lint:*)',
    ]);

    const rules = await world.command('rules', { job: job.id });
    expect(rules.reply).toContain('Granted in chat for this job');
    expect(rules.reply).toContain('Bash(npm run lint:*)');
  });
});
