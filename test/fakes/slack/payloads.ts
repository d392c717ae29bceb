/**
 * Builders for what Slack delivers to an app: slash commands, block_actions, view_submission and
 * Events API callbacks. The same objects go into Socket Mode envelopes and (encoded by
 * http-signing.ts) into signed HTTP requests, exactly as Slack sends them on both transports.
 */
import { SLACK, type SlackUserRef } from './ids.js';

export interface SlashCommandInput {
  text: string;
  command?: string;
  user?: SlackUserRef;
  channelId?: string;
  channelName?: string;
}

export interface BlockActionInput {
  actionId: string;
  value: string;
  blockId?: string;
  user?: SlackUserRef;
  channelId?: string;
  /** ts of the message that carries the button. */
  messageTs: string;
  /** Set when the message is a thread reply. */
  threadTs?: string;
  messageText?: string;
}

export interface ViewSubmissionInput {
  callbackId: string;
  privateMetadata?: string;
  /** state.values: block_id -> action_id -> element state, e.g. `{ type: 'plain_text_input', value: 'x' }`. */
  values: Record<string, Record<string, Record<string, unknown>>>;
  user?: SlackUserRef;
  viewId?: string;
}

/** Builders whose response_url and trigger_id point back at the Web API stand-in. */
export interface SlackPayloads {
  slashCommand(input: SlashCommandInput): Record<string, string>;
  blockActions(input: BlockActionInput): Record<string, unknown>;
  viewSubmission(input: ViewSubmissionInput): Record<string, unknown>;
  eventCallback(event: Record<string, unknown>): Record<string, unknown>;
  /** The `message` event (message.channels) of a person's reply in a thread, wrapped for events_api. */
  threadReply(input: ThreadReplyInput): Record<string, unknown>;
}

export interface ThreadReplyInput {
  text: string;
  /** ts of the thread's parent message. */
  threadTs: string;
  user?: SlackUserRef;
  channelId?: string;
  /** Who posted the parent (the bot, for a job card). */
  parentUserId?: string;
}

const userObject = (user: SlackUserRef) => ({
  id: user.id,
  username: user.username,
  name: user.username,
  team_id: SLACK.teamId,
});

export function createSlackPayloads(responseUrl: () => string): SlackPayloads {
  let counter = 0;
  const next = () => {
    counter += 1;
    return counter;
  };
  // Real trigger ids look like "1234567890.987654321.abcdef…"; only their uniqueness matters here.
  const triggerId = () =>
    `${1_700_000_000 + next()}.${SLACK.teamId}.${counter.toString(16).padStart(20, '0')}`;
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  const eventCallback = (event: Record<string, unknown>): Record<string, unknown> => {
    return {
      token: SLACK.verificationToken,
      team_id: SLACK.teamId,
      api_app_id: SLACK.appId,
      event: { event_ts: `${nowSeconds()}.000100`, ...event },
      type: 'event_callback',
      event_id: `Ev${String(next()).padStart(10, '0')}`,
      event_time: nowSeconds(),
      authorizations: [
        {
          enterprise_id: null,
          team_id: SLACK.teamId,
          user_id: SLACK.botUserId,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
    };
  };

  return {
    slashCommand(input) {
      const user = input.user ?? SLACK.user;
      return {
        token: SLACK.verificationToken,
        team_id: SLACK.teamId,
        team_domain: SLACK.teamDomain,
        channel_id: input.channelId ?? SLACK.channelId,
        channel_name: input.channelName ?? SLACK.channelName,
        user_id: user.id,
        user_name: user.username,
        command: input.command ?? '/hermes',
        text: input.text,
        api_app_id: SLACK.appId,
        is_enterprise_install: 'false',
        response_url: responseUrl(),
        trigger_id: triggerId(),
      };
    },

    blockActions(input) {
      const user = input.user ?? SLACK.user;
      const channelId = input.channelId ?? SLACK.channelId;
      const actionTs = `${nowSeconds()}.${String(next()).padStart(6, '0')}`;
      return {
        type: 'block_actions',
        user: userObject(user),
        api_app_id: SLACK.appId,
        token: SLACK.verificationToken,
        container: {
          type: 'message',
          message_ts: input.messageTs,
          channel_id: channelId,
          is_ephemeral: false,
          ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
        },
        trigger_id: triggerId(),
        team: { id: SLACK.teamId, domain: SLACK.teamDomain },
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: channelId, name: SLACK.channelName },
        message: {
          type: 'message',
          user: SLACK.botUserId,
          bot_id: SLACK.botId,
          text: input.messageText ?? '',
          ts: input.messageTs,
          ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
        },
        state: { values: {} },
        response_url: responseUrl(),
        actions: [
          {
            action_id: input.actionId,
            block_id: input.blockId ?? `block-${input.actionId}`,
            value: input.value,
            type: 'button',
            text: { type: 'plain_text', text: input.value, emoji: true },
            action_ts: actionTs,
          },
        ],
      };
    },

    viewSubmission(input) {
      const user = input.user ?? SLACK.user;
      const viewId = input.viewId ?? `V${String(next()).padStart(10, '0')}`;
      return {
        type: 'view_submission',
        team: { id: SLACK.teamId, domain: SLACK.teamDomain },
        user: userObject(user),
        api_app_id: SLACK.appId,
        token: SLACK.verificationToken,
        trigger_id: triggerId(),
        view: {
          id: viewId,
          team_id: SLACK.teamId,
          type: 'modal',
          blocks: [],
          private_metadata: input.privateMetadata ?? '',
          callback_id: input.callbackId,
          state: { values: input.values },
          hash: `${nowSeconds()}.fakehash${counter}`,
          title: { type: 'plain_text', text: 'Hermes', emoji: true },
          clear_on_close: false,
          notify_on_close: false,
          close: null,
          submit: { type: 'plain_text', text: 'Submit', emoji: true },
          previous_view_id: null,
          root_view_id: viewId,
          app_id: SLACK.appId,
          external_id: '',
          app_installed_team_id: SLACK.teamId,
          bot_id: SLACK.botId,
        },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      };
    },

    // The shape of a user's thread reply as the Events API delivers it (message.channels, the
    // generic message event of @slack/types): no subtype, thread_ts of the parent, a ts of its own,
    // the text also as a rich_text block, channel_type "channel".
    threadReply(input) {
      const user = input.user ?? SLACK.user;
      const ts = `${nowSeconds()}.${String(next()).padStart(6, '0')}`;
      return eventCallback({
        type: 'message',
        user: user.id,
        text: input.text,
        client_msg_id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
        blocks: [
          {
            type: 'rich_text',
            block_id: `b${counter}`,
            elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: input.text }] }],
          },
        ],
        team: SLACK.teamId,
        thread_ts: input.threadTs,
        parent_user_id: input.parentUserId ?? SLACK.botUserId,
        ts,
        channel: input.channelId ?? SLACK.channelId,
        event_ts: ts,
        channel_type: 'channel',
      });
    },

    eventCallback,
  };
}
