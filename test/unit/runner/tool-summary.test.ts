import { describe, expect, it } from 'vitest';
import {
  boundedInputJson,
  describeToolCall,
  describeToolUse,
  MAX_INPUT_JSON_BYTES,
} from '../../../runner/hooks/tool-summary.js';

describe('tool summaries', () => {
  it('names the argument a person recognises, on one bounded line', () => {
    expect(describeToolCall('Bash', { command: 'ls -la\n  /tmp', description: 'List' })).toBe(
      'Bash: ls -la /tmp (List)',
    );
    expect(describeToolCall('Write', { file_path: '/a/b.ts', content: 'x' })).toBe('Write /a/b.ts');
    expect(describeToolCall('mcp__x__y', { query: 'q' })).toBe('mcp__x__y q');
    expect(describeToolCall('Task')).toBe('Task');
    expect(describeToolCall('Bash', { command: 'x'.repeat(1000) }).length).toBeLessThanOrEqual(300);
    expect(describeToolUse('Bash', { command: 'export SECRET=1', description: 'Set up' })).toBe(
      'used Bash: Set up',
    );
    expect(describeToolUse('Bash', { command: 'export SECRET=1' })).toBe('used Bash');
  });

  it('keeps a small input as it is and cuts a large one, saying so', () => {
    const small = { command: 'npm test', timeout: 1.5 };
    expect(boundedInputJson('Bash', small)).toBe(JSON.stringify(small));
    const big = { file_path: '/a/b.ts', content: 'y'.repeat(200_000) };
    const cut = boundedInputJson('Write', big);
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_INPUT_JSON_BYTES);
    const parsed = JSON.parse(cut);
    expect(parsed.file_path).toBe('/a/b.ts');
    expect(parsed.content).toMatch(/more characters not shown/);
    expect(parsed._hermes_truncated).toMatch(/200\d{3} bytes/);
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'v'.repeat(50)]));
    const summary = JSON.parse(boundedInputJson('Tool', many));
    expect(summary).toEqual({
      _hermes_truncated: expect.stringMatching(/only a summary/),
      summary: `Tool ${'v'.repeat(50)}`,
    });
    const proto = JSON.parse(`{"__proto__": {"polluted": true}, "content": "${'z'.repeat(20_000)}"}`);
    const kept = JSON.parse(boundedInputJson('Write', proto));
    expect(Object.getOwnPropertyDescriptor(kept, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
