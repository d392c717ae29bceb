import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import { ALICE, ChatHarness, MALLORY, PATCH } from './harness.js';

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

describe('the patch as a file in the thread', () => {
  it('/hermes diff attaches the whole patch after the table, named after the job', async () => {
    const job = await h.register();
    await h.people.command(ALICE, `diff ${job.id}`);
    await h.settle();
    const [sent] = h.port.files;
    expect(sent!.file.name).toBe(`${job.id}.patch`);
    expect(sent!.file.content.toString()).toBe(PATCH);
    expect(sent!.file.comment).toBe(`${job.id}: the full patch (${Buffer.byteLength(PATCH)} bytes).`);
    expect(sent!.thread).toEqual(h.chat.deps.state.thread(job.id)!.thread);
  });

  it('a patch over the chat file limit is cut at a line end and says so; one the runner could not send is a note', async () => {
    const job = await h.register();
    h.port.maxFileBytes = 40;
    h.runners.report({ jobId: job.id, text: 't', patch: PATCH, patchBytes: 5000 });
    await h.settle();
    const cut = h.port.files.at(-1)!.file;
    expect(PATCH.startsWith(cut.content.toString())).toBe(true);
    expect(cut.content.length).toBeLessThanOrEqual(40);
    expect(cut.content.toString().endsWith('\n')).toBe(true);
    expect(cut.comment).toMatch(
      /the first \d+ bytes of the patch \(4\.9 KB in all, more than this chat takes as a file\)/,
    );

    h.port.maxFileBytes = 1 << 20;
    h.runners.report({ jobId: job.id, text: 't', patch: PATCH.slice(0, 20), patchBytes: 5000 });
    await h.settle();
    expect(h.port.files.at(-1)!.file.comment).toMatch(/relay\.max_payload_bytes/);

    h.runners.report({ jobId: job.id, text: 't', patchBytes: 900_000 });
    await h.settle();
    expect(h.port.threadText(job.id).at(-1)).toMatch(
      /The patch \(878\.9 KB\) is too big for the runner's message .*not attached/,
    );
    expect(h.port.files).toHaveLength(2);
  });
});
