/**
 * Jobs are seen where they live: `list` shows this channel's jobs, an approver's `list all` every
 * channel of the platform, and `status` of a job in another channel only to its owner and the
 * approvers. Being allowed in #secret (a channel list) is not being in it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { ALICE, APPROVER, BOB, ChatHarness, MALLORY } from './harness.js';

const texts = (ms: ChatMessage[]) => ms.map((m) => plainText(m)).join('\n');
const as = (user: string, text: string, channel: string) =>
  h.people.command(user, text, { channel }).then(texts);

let h: ChatHarness;
beforeEach(() => {
  h = new ChatHarness({
    policy: { registerUsers: [], registerChannels: ['CPUBLIC', 'CSECRET'], approvers: [APPROVER] },
  });
});
afterEach(() => h.close());

async function twoJobs() {
  await h.people.command(ALICE, 'register demo "rotate the prod DB password"', { channel: 'CSECRET' });
  await h.people.command(BOB, 'register demo "tidy the README"', { channel: 'CPUBLIC' });
  await h.settle();
  const secret = h.registry.list().find((j) => j.chat?.channel === 'CSECRET')!;
  const open = h.registry.list().find((j) => j.chat?.channel === 'CPUBLIC')!;
  expect(secret.owner).toBe(`slack:${ALICE}`);
  expect(open.owner).toBe(`slack:${BOB}`);
  return { secret, open };
}

describe('list', () => {
  it("shows only this channel's jobs, also with `all` for whoever is not an approver", async () => {
    const { secret, open } = await twoJobs();
    for (const cmd of ['list', 'list all']) {
      const t = await as(MALLORY, cmd, 'CPUBLIC');
      expect(t).toContain(open.id);
      expect(t).not.toContain(secret.id);
      expect(t).not.toContain('prod DB password');
    }
    expect(await as(MALLORY, 'list', 'CSECRET')).toContain(secret.id);
    // even the owner's own job in another channel is not listed here (status names it)
    expect(await as(ALICE, 'list', 'CPUBLIC')).not.toContain(secret.id);
  });

  it("an approver's `list` is this channel; `list all` is every channel of the platform, naming each", async () => {
    const { secret, open } = await twoJobs();
    await h.event(open.id, 'completed', 'done');
    const here = await as(APPROVER, 'list', 'CPUBLIC');
    expect(here).toContain('Live jobs here (0)');
    const all = await as(APPROVER, 'list all', 'CPUBLIC');
    expect(all).toContain('Latest jobs, all channels (2)');
    expect(all).toContain(`${secret.id} `);
    expect(all).toContain('in CSECRET');
    expect(all).toContain('in CPUBLIC');
  });

  it('refuses where the person may not view, and bad options get usage help', async () => {
    h.close();
    h = new ChatHarness();
    expect(await as(MALLORY, 'list', 'C1')).toMatch(/^Not allowed/);
    expect(h.chatAudit().at(-1)).toMatchObject({ verdict: 'dropped', action: 'view' });
    expect(await as(ALICE, 'list everything', 'C1')).toContain('the only option is `all`');
  });
});

describe('status', () => {
  it('of a job in another channel: refused privately (and audited) unless owner or approver', async () => {
    const { secret } = await twoJobs();
    await h.event(secret.id, 'progress', 'found the key AKIA123 in ~/.aws/credentials');
    const before = h.port.messages.length;
    const t = await as(MALLORY, `status ${secret.id}`, 'CPUBLIC');
    expect(t).toMatch(/^Not allowed: you may not see .* from here/);
    expect(t).not.toContain('AKIA');
    expect(t).not.toContain('prod DB password');
    expect(h.port.messages.length).toBe(before);
    expect(h.chatAudit().at(-1)).toMatchObject({
      verdict: 'dropped',
      action: 'view',
      actor: `slack:${MALLORY}`,
      channel: 'CPUBLIC',
      job_id: secret.id,
    });
    expect(await as(MALLORY, `status ${secret.id}`, 'CSECRET')).toContain('AKIA123');
    expect(await as(ALICE, `status ${secret.id}`, 'CPUBLIC')).toContain('AKIA123');
    expect(await as(APPROVER, `status ${secret.id}`, 'CPUBLIC')).toContain('AKIA123');
  });

  it('an unknown id: usage help for who may view here, a refusal for anyone else', async () => {
    expect(await as(MALLORY, 'status j-nope', 'CPUBLIC')).toContain('no job j-nope');
    expect(await as(MALLORY, 'status j-nope', 'CELSEWHERE')).toMatch(
      /^Not allowed: you may not see jobs here/,
    );
  });
});
