/** Reading `codex exec --json` output (the sample in test/fixtures/codex-cli, shaped as Codex's docs/exec.md). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodexOutput } from '../../../runner/agent/codex-output.js';

const sample = readFileSync(join(import.meta.dirname, '../../fixtures/codex-cli/exec.jsonl'), 'utf8');

describe('CodexOutput', () => {
  it('reads the thread id, the final message and the tokens (cached input apart), and shows text', () => {
    const r = new CodexOutput();
    let shown = '';
    for (let i = 0; i < sample.length; i += 29) shown += r.push(sample.slice(i, i + 29));
    shown += r.end();
    expect(r.turn()).toEqual({
      sessionId: '0199a213-81c0-7800-8aa1-bbab2a035a53',
      result: 'There is a README.md in the repository root.',
      isError: false,
      subtype: undefined,
      usage: {
        input_tokens: 315,
        cache_read_tokens: 24448,
        cache_write_tokens: 0,
        output_tokens: 122,
        cost_usd: 0,
        agent_turns: 1,
        turns: 1,
      },
      running: { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 },
    });
    expect(shown).toContain('[codex session 0199a213-81c0-7800-8aa1-bbab2a035a53]');
    expect(shown).toContain('$ bash -lc ls');
    expect(shown).toContain('There is a README.md in the repository root.');
    expect(shown).not.toContain('"type"');
  });

  it('a failed turn is an error with its message; other lines pass through', () => {
    const r = new CodexOutput();
    expect(r.push('not json\n')).toBe('not json\n');
    r.push(`${JSON.stringify({ type: 'turn.failed', error: { message: 'stream disconnected' } })}\n`);
    expect(r.turn()).toMatchObject({
      isError: true,
      subtype: 'turn_failed',
      result: 'stream disconnected',
      usage: undefined,
    });
  });
});
