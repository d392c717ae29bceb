import { describe, expect, it } from 'vitest';
import { parseRegistration } from '../../../src/chat/commands/register.js';
import { restFrom, tokenize } from '../../../src/chat/commands/tokenize.js';
import { isHermesError } from '../../../src/errors.js';

const reg = (text: string) => parseRegistration({ text, args: tokenize(text) });

describe('command words', () => {
  it('splits on blanks and groups straight and typographic quotes', () => {
    expect(tokenize(`a "b c" 'd e' “f g” ‘h’`).map((t) => t.value)).toEqual(['a', 'b c', 'd e', 'f g', 'h']);
    expect(() => tokenize('a "b')).toThrow(/quote/);
  });

  it('keeps the rest of the text verbatim, dropping quotes only around one quoted token', () => {
    const text = 'demo fix "the" bug  ';
    expect(restFrom(text, tokenize(text), 1)).toBe('fix "the" bug');
    const q = 'demo "tidy the README"';
    expect(restFrom(q, tokenize(q), 1)).toBe('tidy the README');
  });

  it('parses register: profile, flags, prompt; refuses what it cannot use', () => {
    expect(reg('demo --runner r1 --cwd /srv "tidy it"')).toEqual({
      profile: 'demo',
      runner: 'r1',
      cwd: '/srv',
      prompt: 'tidy it',
    });
    expect(reg('demo --runner=r1 go --runner x')).toEqual({
      profile: 'demo',
      runner: 'r1',
      prompt: 'go --runner x',
    });
    for (const bad of ['', 'demo', 'Demo go', 'demo --x 1 go', 'demo --runner a/b go', 'demo --cwd']) {
      let code = 'none';
      try {
        reg(bad);
      } catch (e) {
        code = isHermesError(e) ? e.code : 'other';
      }
      expect(code, bad).toBe('usage');
    }
    expect(() => reg(`demo ${'p'.repeat(4001)}`)).toThrow(/longer than 4000/);
  });
});
