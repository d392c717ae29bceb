/**
 * `/hermes register` checks the registration against the paired runners before anything is
 * stored or posted: an unpaired runner, a profile the runner lacks and a --cwd it would refuse are
 * answered at once; an offline runner is said, and the job waits for it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { RunnerInfo } from '../../../src/bot/runner-control.js';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { ALICE, ChatHarness } from './harness.js';

const texts = (ms: ChatMessage[]) => ms.map((m) => plainText(m)).join('\n');
const runner = (r: Partial<RunnerInfo> & { id: string }): RunnerInfo => ({
  state: 'online',
  profiles: ['demo', 'claude'],
  lastSeen: '2026-06-21T10:00:00.000Z',
  ...r,
});

let h: ChatHarness;
afterEach(() => h.close());

async function refused(text: string): Promise<string> {
  const replies = await h.people.command(ALICE, text);
  expect(replies, text).toHaveLength(1);
  expect(h.registry.list(), text).toEqual([]);
  expect(h.port.messages, text).toEqual([]);
  expect(h.runners.calls.kick, text).toBe(0);
  return texts(replies);
}

describe('/hermes register against the paired runners', () => {
  it('refuses an unpaired runner at once, naming the paired ones and the likely one', async () => {
    h = new ChatHarness({ runners: [runner({ id: 'local' }), runner({ id: 'build-02' })] });
    const t = await refused('register demo --runner build-01 fix it');
    expect(t).toContain(
      'runner "build-01" is not paired with this bot (paired: local, build-02); did you mean build-02?',
    );
    expect(t).toContain('hermes runners add');
    expect(t).toContain('/hermes register <profile>');
  });

  it('says when no runner is paired at all (the default runner too)', async () => {
    h = new ChatHarness({ runners: [] });
    expect(await refused('register demo fix it')).toContain(
      'runner "local" is not paired with this bot (no runner is paired with this bot yet)',
    );
  });

  it('refuses a profile the runner lacks, suggesting the near one', async () => {
    h = new ChatHarness({ runners: [runner({ id: 'local' })] });
    expect(await refused('register claud fix it')).toContain(
      'runner local has no profile "claud" (it has: demo, claude); did you mean claude?',
    );
  });

  it('refuses --cwd on a runner that lets no job choose its folder, before any card', async () => {
    h = new ChatHarness({ runners: [runner({ id: 'local', acceptsCwd: false })] });
    const t = await refused('register --cwd /srv/app demo fix it');
    expect(t).toContain('runner local lets no job choose its working directory (--cwd)');
    expect(t).toContain('runner.cwd_roots');
  });

  it('takes --cwd when the runner accepts folders, or has not said (an older runner)', async () => {
    h = new ChatHarness({
      runners: [runner({ id: 'local', acceptsCwd: true }), runner({ id: 'old' })],
    });
    await h.register(ALICE, 'register --cwd /srv/a demo one');
    await h.register(ALICE, 'register demo --runner old --cwd /srv/b two');
    expect(h.registry.list().map((j) => j.cwd)).toEqual(['/srv/a', '/srv/b']);
  });

  it('registers for an offline runner and says the job waits for it', async () => {
    h = new ChatHarness({ runners: [runner({ id: 'local', state: 'offline' })] });
    const replies = await h.people.command(ALICE, 'register demo fix it');
    expect(texts(replies)).toMatch(
      /Registered j-\S+ \(demo on local\)\. .* Note: runner local is offline, last seen 2026-06-21T10:00:00\.000Z: the job waits and starts when the runner is back\./,
    );
    expect(h.registry.list()).toHaveLength(1);
  });

  it('says nothing extra when the runner is online', async () => {
    h = new ChatHarness({ runners: [runner({ id: 'local' })] });
    const replies = await h.people.command(ALICE, 'register demo fix it');
    expect(texts(replies)).not.toContain('Note:');
  });

  it('answers a bare /hermes register with what to type and the profiles on offer', async () => {
    h = new ChatHarness({ runners: [runner({ id: 'local' }), runner({ id: 'gpu', profiles: ['codex'] })] });
    const t = await refused('register');
    expect(t).toContain(
      'say which agent profile to run and what it should do, e.g. /hermes register demo tidy the README (profiles by runner: local: demo, claude; gpu: codex)',
    );
    expect(t).not.toMatch(/Invalid input|expected string/);
  });
});
