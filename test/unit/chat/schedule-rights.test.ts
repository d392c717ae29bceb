/**
 * Rights around schedules beyond `schedule add`: the owner's right to register is checked again
 * at every run (a schedule must not keep registering jobs as someone who lost that right).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { fakeCron } from '../../helpers/fake-cron.js';
import { ALICE, BOB, ChatHarness, MALLORY } from './harness.js';

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

describe('a schedule whose owner may no longer register', () => {
  it('is paused at its next run instead of registering, says so in its thread, and is audited', async () => {
    const { h, t } = harness();
    const id = idOf(await h.people.command(ALICE, 'schedule add "0 3 * * *" demo --overlap allow nightly'));
    t.fireAt('0 3 * * *', '2026-06-21T03:00:00Z');
    await h.settle();
    expect(h.registry.list()).toHaveLength(1);
    // The config changed since: the owner is someone the register list no longer names.
    h.db.prepare('UPDATE schedules SET owner = ? WHERE id = ?').run(`slack:${MALLORY}`, id);

    t.fireAt('0 3 * * *', '2026-06-22T03:00:00Z');
    await h.settle();
    expect(h.registry.list()).toHaveLength(1);
    expect(h.schedules!.store.require(id).paused).toBe(true);
    expect(t.live()).toEqual([]);
    expect(h.port.threadText(id).at(-1)).toMatch(
      new RegExp(
        `^Run of 2026-06-22T03:00:00.000Z: not run, schedule paused \\(slack:${MALLORY} may no longer register jobs in this channel\\)`,
      ),
    );
    const refused = h.chatAudit().filter((r) => r.action === 'schedule' && r.verdict === 'dropped');
    expect(refused).toEqual([
      expect.objectContaining({ actor: `slack:${MALLORY}`, detail: expect.stringContaining(`run of ${id}`) }),
    ]);
  });

  it('a CLI schedule has no chat owner to check and still runs', async () => {
    const { h, t } = harness();
    h.schedules!.store.add({
      cron: '0 3 * * *',
      profile: 'demo',
      runner: 'local',
      repo: null,
      prompt: 'x',
      owner: 'cli:root',
      chat: null,
      overlap: 'skip',
    });
    h.schedules!.sync();
    t.fireAt('0 3 * * *', '2026-06-21T03:00:00Z');
    await h.settle();
    expect(h.registry.list().map((j) => j.owner)).toEqual(['cli:root']);
  });
});

describe('schedule add checks the runner as register does', () => {
  it('refuses an unpaired or mistyped --runner with the sentence register gives, storing nothing', async () => {
    const { h } = harness();
    for (const runner of ['nope', 'locl']) {
      const added = texts(
        await h.people.command(ALICE, `schedule add "0 3 * * *" demo --runner ${runner} x`),
      );
      const registered = texts(await h.people.command(ALICE, `register demo --runner ${runner} x`));
      expect(added).toMatch(new RegExp(`runner "${runner}" is not paired with this bot \\(paired: local\\)`));
      // The same sentence and hint; only the usage line under it names the command.
      expect(added.split('\n')[0]).toBe(registered.split('\n')[0]);
    }
    expect(texts(await h.people.command(ALICE, 'schedule add "0 3 * * *" demo --runner locl x'))).toContain(
      'did you mean local?',
    );
    expect(h.schedules!.store.list()).toEqual([]);
    expect(h.registry.list()).toEqual([]);
  });
});

describe('schedule remove|pause|resume to someone who may not see the schedule', () => {
  it('answers exactly as for an id that does not exist', async () => {
    const { h } = harness();
    const id = idOf(await h.people.command(ALICE, 'schedule add "0 3 * * *" demo x'));
    for (const verb of ['remove', 'pause', 'resume']) {
      // No right to view here: the same refusal, which names no schedule and no channel.
      expect(texts(await h.people.command(MALLORY, `schedule ${verb} ${id}`))).toBe(
        texts(await h.people.command(MALLORY, `schedule ${verb} s-nope`)).replace('s-nope', id),
      );
      // May view elsewhere, not this schedule's channel: "no schedule", as for an unknown id.
      const other = { channel: 'C0OTHER' };
      expect(texts(await h.people.command(BOB, `schedule ${verb} ${id}`, other))).toBe(
        texts(await h.people.command(BOB, `schedule ${verb} s-nope`, other)).replace('s-nope', id),
      );
    }
    expect(texts(await h.people.command(BOB, `schedule pause ${id}`, { channel: 'C0OTHER' }))).toMatch(
      `no schedule ${id}`,
    );
    expect(h.schedules!.store.require(id).paused).toBe(false);
    // Its creator still reaches it from another channel.
    expect(texts(await h.people.command(ALICE, `schedule pause ${id}`, { channel: 'C0OTHER' }))).toBe(
      `Schedule ${id} paused.`,
    );
  });
});
