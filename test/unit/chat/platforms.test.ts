/**
 * One bot, two chat platforms: each platform's policy covers its own jobs only. A job registered
 * on Slack cannot be seen or acted on from Discord (and the reverse), whatever Discord's policy
 * says; a job from the CLI only where a default channel is set. Refusals are private and audited.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type AccessPolicy, emptyPolicy } from '../../../src/chat/access.js';
import { ChatCore } from '../../../src/chat/chat-core.js';
import { MemoryChatPort } from '../../../src/chat/memory-port.js';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { silentLogger } from '../../../src/log.js';
import { memoryAudit } from '../../../src/relay/audit.js';
import { ALICE, APPROVER, ChatHarness } from './harness.js';

const STRANGER = '222222222222222222';
const D_ALICE = '333333333333333333';
const texts = (ms: ChatMessage[]) => ms.map((m) => plainText(m)).join('\n');

let h: ChatHarness;
const stops: Array<() => void> = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
  h?.close();
});

/** A Discord core on the harness's bot (same database, relay, decisions and runners). */
function discord(policy: Partial<AccessPolicy>) {
  const port = new MemoryChatPort('discord', 0, () => h.clock.now());
  const audit = memoryAudit();
  const chat = new ChatCore({
    port,
    policy: { ...emptyPolicy, ...policy },
    registry: h.registry,
    events: h.bot.relay,
    decisions: h.bot.decisions,
    runners: h.runners.control,
    audit,
    clock: h.clock,
    log: silentLogger,
  });
  chat.start();
  stops.push(() => chat.stop());
  return { port, audit, chat, people: port.people(chat, 'D1') };
}

const status = (jobId: string) =>
  (
    h.registry.db.prepare('SELECT status FROM permission_requests WHERE job_id = ?').get(jobId) as {
      status: string;
    }
  ).status;

describe('a job is acted on and seen only from its own platform', () => {
  it("a Slack job: Discord's looser policy (allow_everyone) gives nobody there anything on it", async () => {
    h = new ChatHarness();
    const job = await h.register(ALICE, 'register demo deploy the secret service');
    await h.event(job.id, 'started');
    await h.permission(job.id, 'r-1', 'Bash', { command: 'deploy prod' });
    const d = discord({ allowEveryone: true, registerRoles: ['111111111111111111'] });
    const say = (text: string) => d.people.command(STRANGER, text).then(texts);

    expect(await say('list')).not.toContain(job.id);
    expect(await say('list all')).not.toContain(job.id);
    const st = await say(`status ${job.id}`);
    expect(st).toMatch(/^Not allowed: .* belongs to slack/);
    expect(st).not.toContain('secret service');
    expect(await say(`peek ${job.id}`)).toMatch(/^Not allowed: .* belongs to slack/);
    expect(await say(`cancel ${job.id}`)).toMatch(/^Not allowed: .* belongs to slack/);
    expect(await say(`approve ${job.id} r-1`)).toMatch(/^Not allowed: .* belongs to slack/);
    expect(await say('approve')).toBe('Nothing is waiting for your answer.');
    expect(await say('approve r-1')).toMatch(/^Nothing was decided: no request r-1/);
    const click = await d.people.clickValue({ channel: 'D1', id: '1' }, 'approve', `${job.id} r-1`, STRANGER);
    expect(texts(click.replies)).toMatch(/^Not allowed: .* belongs to slack/);

    expect(status(job.id)).toBe('pending');
    expect(h.registry.require(job.id).status).not.toBe('cancelled');
    expect(h.runners.calls).toMatchObject({ cancel: [], peek: [] });
    expect(d.port.messages).toEqual([]); // every answer was private
    const refused = d.audit.records;
    expect(refused.map((r) => r.action)).toEqual(['view', 'peek', 'cancel', 'decide', 'decide', 'decide']);
    for (const r of refused)
      expect(r).toMatchObject({ verdict: 'dropped', reason: 'forbidden', actor: `discord:${STRANGER}` });
    expect(refused.filter((r) => r.job_id === job.id)).toHaveLength(5);

    // Slack's own approver still decides it, and is told what was decided.
    const ok = texts(await h.people.command(APPROVER, `approve ${job.id} r-1`));
    expect(ok).toContain(`Approved request r-1 of ${job.id}: Bash`);
    expect(status(job.id)).toBe('approved');
  });

  it("a Discord job: Slack's approver may not touch it; its Discord owner may", async () => {
    h = new ChatHarness();
    const d = discord({ registerUsers: [D_ALICE] });
    await d.people.command(D_ALICE, 'register demo only for discord');
    const job = h.registry.list()[0]!;
    expect(job.chat?.platform).toBe('discord');
    await h.settle();
    await h.permission(job.id, 'r-1');
    await h.settle();
    await d.chat.idle();

    const slack = (text: string) => h.people.command(APPROVER, text).then(texts);
    expect(await slack('list all')).not.toContain(job.id);
    expect(await slack(`status ${job.id}`)).toMatch(/^Not allowed: .* belongs to discord/);
    expect(await slack(`deny ${job.id} r-1`)).toMatch(/^Not allowed: .* belongs to discord/);
    expect(await slack(`cancel ${job.id}`)).toMatch(/^Not allowed: .* belongs to discord/);
    expect(await slack('approve')).toBe('Nothing is waiting for your answer.');
    expect(status(job.id)).toBe('pending');
    expect(h.chatAudit().filter((r) => r.verdict === 'dropped' && r.job_id === job.id)).toHaveLength(3);

    expect(texts(await d.people.command(D_ALICE, 'approve'))).toContain(`Approved request r-1 of ${job.id}`);
    expect(status(job.id)).toBe('approved');
  });
});

describe('a job from the CLI', () => {
  const cliJob = () => h.registry.register({ profile: 'demo', owner: 'cli:ops', prompt: 'from the CLI' });

  it('with no default channel the platform does not serve it: an approver is refused', async () => {
    h = new ChatHarness();
    const job = cliJob();
    await h.permission(job.id, 'r-1');
    expect(texts(await h.people.command(APPROVER, 'list all'))).not.toContain(job.id);
    const r = texts(await h.people.command(APPROVER, `approve ${job.id} r-1`));
    expect(r).toMatch(/^Not allowed: .* registered outside chat and this chat has no default channel/);
    expect(texts(await h.people.command(APPROVER, `peek ${job.id}`))).toMatch(/^Not allowed/);
    expect(status(job.id)).toBe('pending');
    expect(h.chatAudit().at(-1)).toMatchObject({ verdict: 'dropped', action: 'peek', job_id: job.id });
  });

  it('with a default channel it lives there: listed there, and decided by the approvers', async () => {
    h = new ChatHarness({ settings: { defaultChannel: 'CDEF' } });
    const job = cliJob();
    await h.permission(job.id, 'r-1');
    expect(texts(await h.people.command(APPROVER, 'list', { channel: 'CDEF' }))).toContain(job.id);
    expect(texts(await h.people.command(APPROVER, 'list'))).not.toContain(job.id);
    expect(texts(await h.people.command(APPROVER, `approve ${job.id}`))).toContain(
      `Approved request r-1 of ${job.id}`,
    );
    expect(status(job.id)).toBe('approved');
  });
});
