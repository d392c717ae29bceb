/** `hermes run`'s running token counts: throttled progress events, and message usage counted once. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClaudeOutput } from '../../../runner/agent/claude-output.js';
import { RunningTokens } from '../../../runner/agent/running-tokens.js';
import type { Tokens } from '../../../src/jobs/usage.js';

const t = (input: number, output: number, read = 0, write = 0): Tokens => ({
  input_tokens: input,
  output_tokens: output,
  cache_read_tokens: read,
  cache_write_tokens: write,
});

describe('RunningTokens', () => {
  let sent: Array<{ detail: string; tokens: Tokens; turn: number }>;
  let r: RunningTokens;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 0 });
    sent = [];
    r = new RunningTokens({
      everyMs: 10_000,
      now: () => Date.now(),
      send: async (detail, data) => {
        sent.push({ detail, ...data });
      },
    });
  });
  afterEach(() => vi.useRealTimers());

  it('sends the first change at once, then at most one per interval with the newest counts', async () => {
    r.begin(1, t(0, 0));
    r.update(t(60, 200, 0, 2000));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual([
      {
        detail: 'Turn 1: 60 in / 200 out · cache 0 read, 2000 written tokens so far',
        tokens: t(60, 200, 0, 2000),
        turn: 1,
      },
    ]);
    r.update(t(70, 300));
    r.update(t(80, 400));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent.map((s) => s.tokens)).toEqual([t(60, 200, 0, 2000), t(80, 400)]);
    // Quiet for a while: the next change goes at once again.
    await vi.advanceTimersByTimeAsync(30_000);
    r.update(t(90, 500));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toHaveLength(3);
    // A new turn's first change goes at once, within the interval of the last send.
    r.begin(2, t(1000, 1000));
    r.update(t(1, 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.at(-1)).toMatchObject({ tokens: t(1001, 1001), turn: 2 });
  });

  it('adds the earlier turns to the counts, and drops what is pending at the turn end', async () => {
    r.begin(2, t(100, 500, 30_000, 2000));
    r.update(t(60, 200));
    r.update(t(61, 201));
    await r.settle();
    expect(sent).toEqual([
      {
        detail: 'Turn 2: 160 in / 700 out · cache 30k read, 2000 written tokens so far',
        tokens: t(160, 700, 30_000, 2000),
        turn: 2,
      },
    ]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sent).toHaveLength(1);
  });

  it('settle waits for a send under way; a failed send does not stop the next', async () => {
    let release!: () => void;
    let calls = 0;
    const slow = new RunningTokens({
      everyMs: 0,
      now: () => Date.now(),
      send: () => {
        calls++;
        if (calls === 1) return Promise.reject(new Error('broker down'));
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    slow.begin(1, t(0, 0));
    slow.update(t(1, 1));
    slow.update(t(2, 2));
    let settled = false;
    const done = slow.settle().then(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    expect(settled).toBe(false);
    release();
    await done;
    expect(settled).toBe(true);
  });
});

describe('ClaudeOutput running counts', () => {
  const line = (o: unknown) => `${JSON.stringify(o)}\n`;
  const assistant = (id: string | undefined, text: string) =>
    line({
      type: 'assistant',
      message: {
        ...(id ? { id } : {}),
        role: 'assistant',
        content: [{ type: 'text', text }],
        usage: {
          input_tokens: 10,
          output_tokens: 5,
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 1,
        },
      },
    });

  it("counts a message's usage once, though Claude Code repeats it on each content block's line", () => {
    const r = new ClaudeOutput();
    r.push(assistant('msg_1', 'one') + assistant('msg_1', 'two'));
    expect(r.tokenUpdates).toBe(1);
    r.push(assistant('msg_2', 'three') + assistant(undefined, 'four'));
    expect(r.tokenUpdates).toBe(3);
    expect(r.turn().running).toEqual(t(30, 15, 300, 3));
    // A line without usage changes nothing.
    r.push(line({ type: 'assistant', message: { id: 'msg_3', content: [] } }));
    expect(r.tokenUpdates).toBe(3);
  });
});
