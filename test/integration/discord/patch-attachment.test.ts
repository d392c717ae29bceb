/**
 * A worktree job's patch as a Discord attachment: discord.js sends the message with the file as
 * multipart form data (payload_json + files[0]) to the stand-in, into the job's thread, after the
 * change table; `/hermes diff` and a runner's report both do.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fakeRunners, PATCH } from '../../unit/chat/harness.js';
import { DiscordWorld } from './support.js';

type Json = Record<string, unknown>;
let world: DiscordWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the patch as a Discord attachment', () => {
  it('/hermes diff and a change report attach the patch bytes in the job thread', async () => {
    let runners: ReturnType<typeof fakeRunners> | undefined;
    world = await DiscordWorld.start({
      plugin: {
        runners: (ctx) => {
          runners = fakeRunners(ctx.registry);
          return runners.control;
        },
      },
    });
    const w = world;
    const { job, threadId } = await w.register();
    const { reply } = await w.command('diff', { job: job.id });
    expect(reply).toBe(`Posted in the thread of ${job.id}.`);
    const withFile = await w.waitForMessage(
      threadId,
      (m) => ((m.attachments as Json[] | undefined) ?? []).length > 0,
      'the patch attachment',
    );
    const [att] = withFile.attachments as Json[];
    expect(att).toMatchObject({ filename: `${job.id}.patch`, size: Buffer.byteLength(PATCH) });
    expect(w.fake.state.attachmentBytes.get(String(att!.id))?.toString()).toBe(PATCH);
    expect(String(withFile.content)).toContain('the full patch');
    // After the table, in the same thread.
    const posted = w.messagesIn(threadId);
    const table = posted.findIndex((m) => String(m.content).includes('src/a.ts  +2  -1'));
    expect(table).toBeGreaterThanOrEqual(0);
    expect(table).toBeLessThan(posted.indexOf(withFile));

    const head = 'diff --git a/big b/big\n+1\n';
    runners!.report({ jobId: job.id, text: 'big +9000 -0', patch: head, patchBytes: 400_000 });
    const cut = await w.waitForMessage(
      threadId,
      (m) => String(m.content).includes('400000') || String(m.content).includes('390.6 KB'),
      'the cut patch',
    );
    const [second] = cut.attachments as Json[];
    expect(w.fake.state.attachmentBytes.get(String(second!.id))?.toString()).toBe(head);
  });
});
