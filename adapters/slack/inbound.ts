/**
 * Slack payloads into the chat core: `/hermes` (slash command), button clicks (block_actions) and
 * the reason modal (view_submission), and replies in a job's thread (message events). Each listener acknowledges first (Slack gives 3 s), then
 * translates the payload into one core call. Private answers: the slash command's response_url
 * (ephemeral), chat.postEphemeral in the thread for clicks and modals.
 */
import type { App, BlockAction, ButtonAction, webApi } from '@slack/bolt';
import { z } from 'zod';
import { ACTION_IDS, type ActionId, type ChatInbound, type ChatMessage } from '../../src/chat/port.js';
import type { Logger } from '../../src/log.js';
import { ACTION_PREFIX, REASON_CALLBACK_ID, reasonModal, toSlackMessage } from './blocks.js';
import type { UserGroups } from './user-groups.js';

export const SLASH_COMMAND = '/hermes';

/** Slack sends a slash command's text with `&`, `<`, `>` as entities; the core wants what was typed. */
export function unescapeCommandText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** What the modal carries from the click to the submission (private_metadata, ≤ 3000 chars). */
const ModalMeta = z.object({
  token: z.string().max(300),
  channel: z.string().max(40),
  thread: z.string().max(40).optional(),
});

export interface InboundDeps {
  core: ChatInbound;
  client: webApi.WebClient;
  groups: UserGroups;
  log: Logger;
}

const actionRe = new RegExp(`^${ACTION_PREFIX}(${ACTION_IDS.join('|')})$`);

export function registerInbound(app: App, deps: InboundDeps): void {
  const { core, client, groups, log } = deps;

  const ephemeral = (channel: string, user: string, thread?: string) => async (m: ChatMessage) => {
    await client.chat.postEphemeral({
      channel,
      user,
      ...toSlackMessage(m),
      ...(thread ? { thread_ts: thread } : {}),
    } as webApi.ChatPostEphemeralArguments);
  };
  const actor = async (user: string) => ({ platform: 'slack', user, roles: await groups.of(user) });

  app.command(SLASH_COMMAND, async ({ ack, command, respond }) => {
    await ack();
    await core.handleCommand({
      actor: await actor(command.user_id),
      channel: command.channel_id,
      text: unescapeCommandText(command.text ?? ''),
      reply: async (m) => {
        await respond({ response_type: 'ephemeral', ...toSlackMessage(m) });
      },
    });
  });

  app.action<BlockAction<ButtonAction>>(actionRe, async ({ ack, body, action }) => {
    await ack();
    const id = actionRe.exec(action.action_id)![1] as ActionId;
    const channel = body.channel?.id ?? body.container?.channel_id;
    const ts = body.message?.ts ?? body.container?.message_ts;
    const thread = (body.message?.thread_ts as string | undefined) ?? body.container?.thread_ts;
    if (!channel) {
      log.warn({ action: action.action_id }, 'button click without a channel ignored');
      return;
    }
    await core.handleAction({
      actor: await actor(body.user.id),
      channel,
      action: id,
      value: action.value ?? '',
      ...(ts ? { message: { channel, id: ts } } : {}),
      reply: ephemeral(channel, body.user.id, thread),
      openReasonPrompt: async (prompt) => {
        const meta = JSON.stringify({ token: prompt.token, channel, ...(thread ? { thread } : {}) });
        await client.views.open({ trigger_id: body.trigger_id, view: reasonModal(prompt, meta) });
      },
    });
  });

  app.view(REASON_CALLBACK_ID, async ({ ack, body, view }) => {
    await ack();
    let meta: z.infer<typeof ModalMeta>;
    try {
      meta = ModalMeta.parse(JSON.parse(view.private_metadata));
    } catch {
      log.warn({ user: body.user.id }, 'reason modal with unreadable private_metadata ignored');
      return;
    }
    const reason = view.state.values.reason?.reason?.value ?? '';
    await core.handleReasonSubmitted({
      actor: await actor(body.user.id),
      channel: meta.channel,
      token: meta.token,
      reason,
      reply: ephemeral(meta.channel, body.user.id, meta.thread),
    });
  });

  // Thread replies in channels the bot is in (events message.channels / message.groups): a
  // person's reply in a job's thread is a follow-up for its agent. Not the thread's parent, not
  // edits or other subtypes, not bots (the bot's own posts included).
  app.event('message', async ({ event }) => {
    const m = event as {
      subtype?: string;
      bot_id?: string;
      user?: string;
      channel?: string;
      text?: string;
      ts?: string;
      thread_ts?: string;
    };
    if (m.subtype !== undefined || m.bot_id || !m.user || !m.channel || !m.thread_ts || m.thread_ts === m.ts)
      return;
    await core.handleThreadMessage({
      actor: await actor(m.user),
      channel: m.channel,
      thread: { channel: m.channel, id: m.thread_ts },
      text: unescapeCommandText(m.text ?? ''),
      reply: ephemeral(m.channel, m.user, m.thread_ts),
    });
  });

  app.error(async (err) => {
    log.error({ err }, 'Slack listener failed');
  });
}
