/** Chat help: a typo gets the one command it was meant to be; `--help` and `help X` show one usage. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { ALICE, ChatHarness, MALLORY } from './harness.js';

const texts = (ms: ChatMessage[]) => ms.map((m) => plainText(m)).join('\n');
let h: ChatHarness;
beforeEach(() => {
  h = new ChatHarness();
});
afterEach(() => h.close());

describe('chat help', () => {
  it('answers a typo with "did you mean" and only that command\'s usage', async () => {
    for (const [typed, meant] of [
      ['regster demo fix it', 'register'],
      ['/hermes lst', 'list'],
      ['cancle j-1', 'cancel'],
      ['aprove j-1', 'approve'],
    ] as const) {
      const t = texts(await h.people.command(MALLORY, typed));
      expect(t, typed).toContain(`did you mean "${meant}"?`);
      expect(t, typed).toContain(`/hermes ${meant}`);
      expect(t, typed).not.toContain('/hermes runners');
    }
    expect(h.registry.list()).toEqual([]);
    expect(h.port.messages).toEqual([]);
  });

  it('lists every command for a word that is near none', async () => {
    const t = texts(await h.people.command(MALLORY, 'frobnicate'));
    expect(t).toContain('unknown command "frobnicate"');
    expect(t).not.toContain('did you mean');
    expect(t).toContain('/hermes runners');
  });

  it('--help after a command and help <command> show its usage and run nothing', async () => {
    for (const typed of ['register --help', 'register -h demo fix it', 'help register', 'help REGISTER']) {
      const t = texts(await h.people.command(ALICE, typed));
      expect(t, typed).toContain('/hermes register <profile>');
      expect(t, typed).not.toContain('/hermes list');
    }
    expect(h.registry.list()).toEqual([]);
    const t = texts(await h.people.command(ALICE, 'help regstr'));
    expect(t).toContain('no command "regstr"; did you mean "register"?');
    expect(t).toContain('/hermes register <profile>');
  });
});
