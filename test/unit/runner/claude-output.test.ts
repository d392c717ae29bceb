/** Reading Claude Code's json / stream-json output (the recorded samples in test/fixtures/claude-cli). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ClaudeOutput } from '../../../runner/agent/claude-output.js';
import { addUsage, formatUsage, usageFromData } from '../../../src/jobs/usage.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures/claude-cli', name), 'utf8');
const SID = '8b1f2c3d-0000-4000-8000-000000000001';

describe('ClaudeOutput', () => {
  it('reads the stream-json sample: session id, the result line usage and cost, running tokens', () => {
    const r = new ClaudeOutput();
    let shown = '';
    // Split at odd places: lines arrive in pieces.
    const text = fixture('stream.jsonl');
    for (let i = 0; i < text.length; i += 37) shown += r.push(text.slice(i, i + 37));
    shown += r.end();
    const t = r.turn();
    expect(t.sessionId).toBe(SID);
    expect(t.isError).toBe(false);
    expect(t.result).toMatch(/^Fixed the flaky test/);
    expect(t.usage).toEqual({
      input_tokens: 1893,
      output_tokens: 5120,
      cache_read_tokens: 310227,
      cache_write_tokens: 21450,
      cost_usd: 0.4172,
      agent_turns: 14,
      turns: 1,
    });
    expect(t.running).toEqual({
      input_tokens: 508,
      output_tokens: 306,
      cache_read_tokens: 21862,
      cache_write_tokens: 21450,
    });
    // The pane shows text, not JSON.
    expect(shown).toContain('Let me look at the failing test.');
    expect(shown).toContain('→ Read');
    expect(shown).not.toContain('"type"');
  });

  it('counts each message once, also when another message comes between its content blocks', () => {
    const r = new ClaudeOutput();
    const line = (id: string, text: string, tokens: number) =>
      `${JSON.stringify({
        type: 'assistant',
        session_id: SID,
        message: {
          id,
          content: [{ type: 'text', text }],
          usage: { input_tokens: tokens, output_tokens: tokens, cache_read_input_tokens: 0 },
        },
      })}\n`;
    // A sub-agent's message B interleaves with A's blocks; A repeats its usage on each block.
    r.push(line('msg_A', 'first block', 10) + line('msg_B', 'other', 1) + line('msg_A', 'second block', 10));
    expect(r.turn().running).toMatchObject({ input_tokens: 11, output_tokens: 11 });
  });

  it('reads the json sample (one object, no trailing newline)', () => {
    const r = new ClaudeOutput();
    r.push(fixture('result.json').trim());
    r.end();
    expect(r.turn()).toMatchObject({ sessionId: SID, usage: { cost_usd: 0.4172, turns: 1 }, isError: false });
  });

  it('passes other lines through and reports no usage without a result line', () => {
    const r = new ClaudeOutput();
    expect(r.push('plain text\n{not json\n')).toBe('plain text\n{not json\n');
    expect(r.turn().usage).toBeUndefined();
  });

  it('an error subtype is an error', () => {
    const r = new ClaudeOutput();
    r.push(
      `${JSON.stringify({ type: 'result', subtype: 'error_max_turns', is_error: false, total_cost_usd: 1 })}\n`,
    );
    expect(r.turn()).toMatchObject({ isError: true, subtype: 'error_max_turns' });
  });
});

describe('usage', () => {
  it('sums turns, keeps dollars to a millionth, reads data.usage back', () => {
    const a = {
      input_tokens: 1,
      output_tokens: 2,
      cache_read_tokens: 3,
      cache_write_tokens: 4,
      cost_usd: 0.4172,
      agent_turns: 14,
      turns: 1,
    };
    const b = { ...a, cost_usd: 0.1 };
    const sum = addUsage(a, b);
    expect(sum.cost_usd).toBe(0.5172);
    expect(sum.turns).toBe(2);
    expect(usageFromData({ usage: sum })).toEqual(sum);
    expect(usageFromData({ usage: 'x' })).toBeUndefined();
    expect(formatUsage(sum)).toBe('$0.5172 · 2 in / 4 out · cache 6 read, 8 written · 2 turns');
  });
});
