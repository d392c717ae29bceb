/**
 * ChatPort over Slack's Web API. A job card is a channel message whose thread (thread_ts = its ts)
 * holds everything after. Links never unfurl. Rate limits are the WebClient's business: on a 429
 * it waits out Retry-After and retries, so a call here resolves late rather than failing, and the
 * core merges progress edits meanwhile. Other failures reject with Slack's error code and what it
 * means (api-errors.ts), which is what people read in "Could not post in this channel (…)".
 */
import type { webApi } from '@slack/bolt';
import type {
  ChatFile,
  ChatMessage,
  ChatPort,
  FileAttachments,
  MessageRef,
  ThreadRef,
} from '../../src/chat/port.js';
import { slackCall } from './api-errors.js';
import { toSlackMessage } from './blocks.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** Slack takes files up to 1 GB (files.getUploadURLExternal); a patch never comes near. */
export const SLACK_MAX_FILE_BYTES = 1024 * 1024 * 1024;

/** Slack: about one message per second per channel. */
export const SLACK_CHANNEL_INTERVAL_MS = 1000;

const NO_UNFURL = { unfurl_links: false, unfurl_media: false } as const;

export class SlackChatPort implements ChatPort {
  readonly platform = 'slack';
  readonly channelIntervalMs = SLACK_CHANNEL_INTERVAL_MS;
  readonly attachments: FileAttachments = {
    maxBytes: SLACK_MAX_FILE_BYTES,
    attach: (thread, file) => this.attach(thread, file),
  };

  constructor(private readonly client: webApi.WebClient) {}

  private async post(channel: string, message: ChatMessage, threadTs?: string): Promise<MessageRef> {
    const res = await slackCall(() =>
      this.client.chat.postMessage({
        channel,
        ...toSlackMessage(message),
        ...(threadTs ? { thread_ts: threadTs } : {}),
        ...NO_UNFURL,
      } as webApi.ChatPostMessageArguments),
    );
    return { channel: res.channel ?? channel, id: res.ts! };
  }

  async postJobCard(channel: string, message: ChatMessage): Promise<{ card: MessageRef; thread: ThreadRef }> {
    const card = await this.post(channel, message);
    return { card, thread: { channel: card.channel, id: card.id } };
  }

  postInThread(thread: ThreadRef, message: ChatMessage): Promise<MessageRef> {
    return this.post(thread.channel, message, thread.id);
  }

  announce(channel: string, message: ChatMessage): Promise<MessageRef> {
    return this.post(channel, message);
  }

  async edit(ref: MessageRef, message: ChatMessage): Promise<void> {
    await slackCall(() =>
      this.client.chat.update({
        channel: ref.channel,
        ts: ref.id,
        ...toSlackMessage(message),
      } as webApi.ChatUpdateArguments),
    );
  }

  /**
   * files.uploadV2: files.getUploadURLExternal, the bytes POSTed to the URL it gives, then
   * files.completeUploadExternal sharing the file into the thread (scope files:write).
   */
  async attach(thread: ThreadRef, file: ChatFile): Promise<void> {
    await slackCall(() =>
      this.client.filesUploadV2({
        channel_id: thread.channel,
        thread_ts: thread.id,
        file: file.content,
        filename: file.name,
        title: file.name,
        initial_comment: escapeMrkdwn(file.comment),
      }),
    );
  }

  async linkTo(ref: MessageRef): Promise<string | undefined> {
    const res = await slackCall(() =>
      this.client.chat.getPermalink({ channel: ref.channel, message_ts: ref.id }),
    );
    return res.permalink;
  }
}
