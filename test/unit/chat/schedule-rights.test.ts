/**
 * Rights around schedules beyond `schedule add`: the owner's right to register is checked again
 * at every run (a schedule must not keep registering jobs as someone who lost that right).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { fakeCron } from '../../helpers/fake-cron.js';
import { ALICE, ChatHarness, MALLORY } from './harness.js';

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
