import { afterEach, describe, expect, it } from 'vitest';
import { Access, emptyPolicy } from '../../../src/chat/access.js';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { systemClock } from '../../../src/clock.js';
import { memoryAudit } from '../../../src/relay/audit.js';
import { fakeCron } from '../../helpers/fake-cron.js';
import { ALICE, APPROVER, BOB, CHANNEL, ChatHarness, MALLORY } from './harness.js';

const texts = (ms: ChatMessage[]) => ms.map((m) => plainText(m)).join('\n');
const idOf = (replies: ChatMessage[]) => /schedule (s-[\w-]+)/.exec(texts(replies))?.[1] ?? '';

let h: ChatHarness | undefined;
afterEach(() => h?.close());

function harness() {
  const t = fakeCron('2026-06-21T01:00:00Z');
  h = new ChatHarness({ cron: t.cron, clock: t.clock });
  h.schedules!.start();
  return { h, t };
}

describe('who may change a schedule (Access)', () => {
  const scope = { platform: 'slack', channelOf: () => 'C1' };
  const a = new Access(
    { ...emptyPolicy, registerUsers: ['U1', 'U2'], registerChannels: ['C1'], approvers: ['UA'] },
    memoryAudit(),
    systemClock,
    scope,
  );
  const s = { owner: 'slack:U1', chat: { platform: 'slack', channel: 'C1' } };
  const u = (user: string) => ({ platform: 'slack', user });

  it('adding: whoever may register in the channel', () => {
    expect(a.mayAddSchedule(u('U1'), 'C1')).toBe(true);
    expect(a.mayAddSchedule(u('U1'), 'C2')).toBe(false);
    expect(a.mayAddSchedule(u('U9'), 'C1')).toBe(false);
  });

  it('removing: the creator while they may register there, and approvers for anyone', () => {
    expect(a.mayChangeSchedule(u('U1'), s)).toBe(true);
    expect(a.mayChangeSchedule(u('U2'), s)).toBe(false);
    expect(a.mayChangeSchedule(u('UA'), s)).toBe(true);
    expect(a.mayChangeSchedule(u('U1'), { ...s, chat: { platform: 'slack', channel: 'C2' } })).toBe(false);
    expect(a.mayChangeSchedule({ platform: 'discord', user: 'U1' }, s)).toBe(false);
    expect(a.mayChangeSchedule(u('UA'), { ...s, chat: null })).toBe(false);
    expect(a.mayChangeSchedule(u('UA'), { ...s, chat: { platform: 'discord', channel: 'C1' } })).toBe(false);
  });
});

describe('/hermes schedule', () => {
  it('add posts the schedule message, list shows it, a run registers a job and says so in its thread', async () => {
    const { h, t } = harness();
    const added = await h.people.command(ALICE, 'schedule add "0 3 * * *" demo --repo app bump deps');
    const id = idOf(added);
    expect(texts(added)).toMatch(/Added schedule s-.+ demo on local at "0 3 \* \* \*" \(UTC\)/);
    const card = h.port.thread(id)[0]!;
    expect(card.ref.channel).toBe(CHANNEL);
    expect(plainText(card.content)).toContain('Prompt: bump deps');
    expect(h.schedules!.store.require(id)).toMatchObject({
      owner: `slack:${ALICE}`,
      chat: { platform: 'slack', channel: CHANNEL },
      thread: { channel: CHANNEL, id: card.ref.id },
      repo: 'app',
    });
    expect(t.live()).toEqual(['0 3 * * *']);
    expect(texts(await h.people.command(BOB, 'schedule list'))).toContain(`${id} 0 3 * * *`);

    t.fireAt('0 3 * * *', '2026-06-21T03:00:00Z');
    await h.settle();
    const [job] = h.registry.list();
    expect(job).toMatchObject({ owner: `slack:${ALICE}`, repo: 'app', prompt: 'bump deps' });
    expect(h.port.card(job!.id)?.ref.channel).toBe(CHANNEL);
    expect(h.port.threadText(id).at(-1)).toBe(`Run of 2026-06-21T03:00:00.000Z: registered ${job!.id}`);
  });

  it('a run skipped because the last job still runs is said in the schedule thread', async () => {
    const { h, t } = harness();
    const id = idOf(await h.people.command(ALICE, 'schedule add "0 3 * * *" demo nightly'));
    t.fireAt('0 3 * * *', '2026-06-21T03:00:00Z');
    t.fireAt('0 3 * * *', '2026-06-22T03:00:00Z');
    await h.settle();
    const [job] = h.registry.list();
    expect(h.registry.list()).toHaveLength(1);
    expect(h.port.threadText(id).at(-1)).toBe(
      `Run of 2026-06-22T03:00:00.000Z: skipped (job ${job!.id} is still running; overlap skip)`,
    );
  });

  it('refuses those who may not register; removing others is for approvers; removed schedules stop', async () => {
    const { h, t } = harness();
    expect(texts(await h.people.command(MALLORY, 'schedule add "0 3 * * *" demo x'))).toMatch(/Not allowed/);
    expect(h.schedules!.store.list()).toEqual([]);
    const id = idOf(await h.people.command(ALICE, 'schedule add "0 3 * * *" demo x'));
    expect(texts(await h.people.command(BOB, `schedule remove ${id}`))).toMatch(
      /Not allowed: only its creator and the approvers may remove/,
    );
    expect(texts(await h.people.command(MALLORY, 'schedule remove s-nope'))).toMatch(/Not allowed/);
    expect(texts(await h.people.command(ALICE, 'schedule remove s-nope'))).toMatch(/no schedule s-nope/);
    expect(texts(await h.people.command(APPROVER, `schedule pause ${id}`))).toBe(`Schedule ${id} paused.`);
    expect(t.live()).toEqual([]);
    expect(texts(await h.people.command(ALICE, `schedule resume ${id}`))).toBe(`Schedule ${id} resumed.`);
    expect(t.live()).toEqual(['0 3 * * *']);
    expect(texts(await h.people.command(ALICE, `schedule remove ${id}`))).toMatch(`Schedule ${id} removed.`);
    expect(t.live()).toEqual([]);
    expect(h.schedules!.store.list()).toEqual([]);
    await h.settle();
    expect(h.port.threadText(id).slice(1)).toEqual([
      `Schedule ${id} paused by @${APPROVER}`,
      `Schedule ${id} resumed by @${ALICE}`,
      `Schedule ${id} removed by @${ALICE}`,
    ]);
    const refused = h.chatAudit().filter((r) => r.action === 'schedule' && r.verdict === 'dropped');
    expect(refused.map((r) => r.actor)).toEqual([`slack:${MALLORY}`, `slack:${BOB}`, `slack:${MALLORY}`]);
  });

  it('a schedule added from the CLI is not changed from chat; a message that cannot be posted adds nothing', async () => {
    const { h } = harness();
    const cli = h.schedules!.store.add({
      cron: '0 3 * * *',
      profile: 'demo',
      runner: 'local',
      repo: null,
      prompt: 'x',
      owner: 'cli:root',
      chat: null,
      overlap: 'skip',
    });
    expect(texts(await h.people.command(APPROVER, `schedule remove ${cli.id}`))).toMatch(
      /was added from the CLI; use hermes schedules there/,
    );
    h.port.failNext('postJobCard', new Error('not_in_channel'));
    expect(texts(await h.people.command(ALICE, 'schedule add "0 4 * * *" demo y'))).toMatch(
      /Could not post in this channel \(not_in_channel\), so no schedule was added/,
    );
    expect(h.schedules!.store.list().map((s) => s.id)).toEqual([cli.id]);
  });
});
