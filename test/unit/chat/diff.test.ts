import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import { ALICE, ChatHarness, MALLORY } from './harness.js';

let h: ChatHarness;
beforeEach(() => {
  h = new ChatHarness({
    runners: [{ id: 'local', state: 'online', profiles: ['demo'], lastSeen: '2026-06-21T10:00:00.000Z' }],
  });
});
afterEach(() => h.close());

const texts = (ms: { summary: string; blocks: unknown[] }[]) =>
  ms.map((m) => plainText(m as never)).join('\n');

describe('the change of a worktree job in its thread', () => {
  it('/hermes diff posts the change table from the runner in the thread; others are refused', async () => {
    const job = await h.register();
    const replies = await h.people.command(ALICE, `diff ${job.id}`);
    await h.settle();
    expect(h.runners.calls.diff).toEqual([job.id]);
    expect(texts(replies)).toContain('Posted in the thread');
    const last = h.port.thread(job.id).at(-1)!.content;
    expect(plainText(last)).toContain('Change so far');
    expect(last.blocks.find((b) => b.kind === 'code')).toMatchObject({
      text: expect.stringContaining('src/a.ts  +2  -1'),
    });
    expect(texts(await h.people.command(MALLORY, `diff ${job.id}`))).toMatch(/Not allowed/);
  });

  it("a runner's report at the job's end goes into the thread, with the compare link as a link", async () => {
    const job = await h.register();
    h.runners.report({
      jobId: job.id,
      text: 'README.md  +1  -0\n\npushed hermes/x to origin',
      link: 'https://github.com/acme/app/compare/main...hermes/x',
    });
    await h.settle();
    const last = h.port.thread(job.id).at(-1)!.content;
    expect(last.blocks[0]).toMatchObject({
      kind: 'section',
      spans: expect.arrayContaining([
        { kind: 'link', url: 'https://github.com/acme/app/compare/main...hermes/x', label: 'compare' },
      ]),
    });
    expect(plainText(last)).toContain('pushed hermes/x to origin');
  });
});
