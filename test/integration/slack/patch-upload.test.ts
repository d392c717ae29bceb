/**
 * A worktree job's patch as a file in its Slack thread: the real WebClient's filesUploadV2 against
 * the stand-in's upload flow (files.getUploadURLExternal, the POST of the bytes to the upload URL,
 * files.completeUploadExternal into the job's thread), for `/hermes diff` and a runner's report.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SLACK } from '../../fakes/slack/index.js';
import { PATCH } from '../../unit/chat/harness.js';
import { type SlackBot, startSlackBot } from './support.js';

let bot: SlackBot;
beforeEach(async () => {
  bot = await startSlackBot('socket');
});
afterEach(async () => {
  await bot.stop();
});

async function registered() {
  await bot.slack.socket.send('slash_commands', bot.slack.payloads.slashCommand({ text: 'register demo x' }));
  const card = await bot.slack.api.waitForCall('chat.postMessage');
  return { job: bot.ctx.registry.list()[0]!, ts: (card.response as { ts: string }).ts };
}

describe('the patch as a Slack file', () => {
  it('/hermes diff: the table in the thread, then the patch uploaded into the same thread', async () => {
    const { job, ts } = await registered();
    await bot.slack.socket.send(
      'slash_commands',
      bot.slack.payloads.slashCommand({ text: `diff ${job.id}` }),
    );
    const table = await bot.slack.api.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts);
    expect(String(table.args.text)).toContain('change so far');
    const asked = await bot.slack.api.waitForCall('files.getUploadURLExternal');
    expect(asked.args).toMatchObject({
      filename: `${job.id}.patch`,
      length: String(Buffer.byteLength(PATCH)),
    });
    const upload = await bot.slack.api.waitForCall('upload_url');
    expect(upload.status).toBe(200);
    const done = await bot.slack.api.waitForCall('files.completeUploadExternal');
    expect(done.args).toMatchObject({ channel_id: SLACK.channelId, thread_ts: ts });
    expect(done.status).toBe(200);
    expect(done.response).toMatchObject({ ok: true });
    const [file] = bot.slack.api.workspace.sharedFiles(SLACK.channelId, ts);
    expect(file!.bytes!.toString()).toBe(PATCH);
    expect(file!.shared!.initial_comment).toBe(
      `${job.id}: the full patch (${Buffer.byteLength(PATCH)} bytes).`,
    );
    // The table was posted before the file was shared.
    expect(table.seq).toBeLessThan(asked.seq);
  });

  it("a runner's report whose patch was cut to fit its message says so next to the file", async () => {
    const { job, ts } = await registered();
    const head = 'diff --git a/big.txt b/big.txt\n+line 1\n';
    bot.runners.report({ jobId: job.id, text: 'big.txt +9000 -0', patch: head, patchBytes: 300_000 });
    const done = await bot.slack.api.waitForCall('files.completeUploadExternal');
    expect(done.response).toMatchObject({ ok: true });
    const [file] = bot.slack.api.workspace.sharedFiles(SLACK.channelId, ts);
    expect(file!.bytes!.toString()).toBe(head);
    expect(file!.shared!.initial_comment).toMatch(
      /: the first 39 bytes of the patch \(293\.0 KB in all, more than fits the runner's message, relay\.max_payload_bytes\)/,
    );
  });
});
