/**
 * Running token counts in the thread's status message: `hermes run` reports `data.tokens` while a
 * turn runs; the status message shows the newest counts without letting them replace the agent's
 * own latest update or count as one, and a turn's end (data.usage) is the base after it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import { ChatHarness } from './harness.js';

let h: ChatHarness;

beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: Date.parse('2026-06-21T10:00:00Z'),
  });
  h = new ChatHarness();
});
afterEach(() => {
  h.close();
  vi.useRealTimers();
});

async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await h.settle();
}

const tokens = (input: number, output: number, read = 0, write = 0) => ({
  tokens: { input_tokens: input, output_tokens: output, cache_read_tokens: read, cache_write_tokens: write },
  turn: 1,
});

describe('tokens so far in the status message', () => {
  it('shows the newest running counts; they neither replace the latest update nor count as one', async () => {
    const job = await h.register();
    await h.event(
      job.id,
      'progress',
      'Turn 1: 60 in / 200 out · cache 0 read, 2000 written tokens so far',
      tokens(60, 200, 0, 2000),
    );
    await advance(0);
    const status = h.port.thread(job.id)[1]!;
    expect(plainText(status.content)).toContain('⏳ Working');
    expect(plainText(status.content)).not.toContain('tokens so far ·');
    expect(plainText(status.content)).toContain(
      'Tokens so far: 60 in / 200 out · cache 0 read, 2000 written',
    );
    expect(plainText(status.content)).toContain('0 updates so far');

    await h.event(job.id, 'progress', 'reading the tests');
    await h.event(
      job.id,
      'progress',
      'Turn 1: 12k in / 900 out tokens so far',
      tokens(12_345, 900, 40_000, 2000),
    );
    await advance(60_000);
    const text = plainText(status.content);
    expect(text).toContain('⏳ Working: reading the tests');
    expect(text).toContain('Tokens so far: 12k in / 900 out · cache 40k read, 2000 written');
    expect(text).toContain('1 update so far');
    expect(h.port.thread(job.id)).toHaveLength(2);
    // Every one of them is delivered (shown by the edit), none owed.
    const delivered = h.db
      .prepare(`SELECT COUNT(*) AS n FROM chat_deliveries WHERE job_id = ? AND part = 'thread'`)
      .get(job.id);
    expect(delivered).toEqual({ n: 3 });
  });

  it('after a turn ended, the next status message starts from the usage of that end', async () => {
    const job = await h.register();
    const usage = {
      input_tokens: 100,
      output_tokens: 500,
      cache_read_tokens: 30_000,
      cache_write_tokens: 2000,
      cost_usd: 0.25,
      agent_turns: 3,
      turns: 1,
    };
    await h.event(job.id, 'started', 'claude started', { followup: 'resume' });
    await h.event(job.id, 'progress', 'Turn 1 finished: Done', {
      state: 'idle',
      turn: 1,
      usage,
      result: 'Done',
    });
    await h.event(job.id, 'progress', 'Turn 2: more', { state: 'running', turn: 2, by: 'slack:U1' });
    await h.event(job.id, 'progress', 'Rule allowed Read', {
      auto: { decision: 'allow', tool: 'Read', rule: 'Read(./**)' },
    });
    await advance(0);
    const status = h.port.threadText(job.id).at(-1)!;
    expect(status).toContain('⏳ Working');
    expect(status).toContain('Tokens so far: 100 in / 500 out · cache 30k read, 2000 written');
  });

  it('counts that arrive just before the turn ends show as they were, not as the end says', async () => {
    const job = await h.register();
    await h.event(job.id, 'started', 'claude started', { followup: 'resume' });
    // No timer runs between them: the end is stored before the status message is posted.
    await h.event(job.id, 'progress', 'Turn 1: 60 in / 200 out tokens so far', tokens(60, 200, 0, 2000));
    await h.event(job.id, 'progress', 'Turn 1 finished: Done', {
      state: 'idle',
      turn: 1,
      usage: { input_tokens: 100, output_tokens: 500, cost_usd: 0.25, turns: 1 },
      result: 'Done',
    });
    const status = h.port.threadText(job.id).find((t) => t.startsWith('⏳ Working'))!;
    expect(status).toContain('Tokens so far: 60 in / 200 out · cache 0 read, 2000 written');
    expect(status).not.toContain('Turn 1 finished');
  });

  it('a job whose agent reports no tokens shows no such line', async () => {
    const job = await h.register();
    await h.event(job.id, 'progress', 'step 1');
    await advance(0);
    expect(h.port.threadText(job.id).at(-1)).not.toContain('Tokens so far');
  });
});
