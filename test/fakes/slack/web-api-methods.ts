/**
 * Slack Web API methods as the stand-in answers them: field names and error codes follow
 * docs.slack.dev, checks are the ones a real workspace makes that adapters get wrong most
 * (missing text, updating an unknown message, reusing a trigger_id, stale view hash).
 */
import { SLACK } from './ids.js';
import type { SlackWorkspace, StoredMessage } from './workspace.js';

export type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown> & { ok: boolean };
export interface MethodContext {
  workspace: SlackWorkspace;
  /** ws:// URL of the Socket Mode stand-in, if one is wired. */
  socketModeUrl: string | undefined;
  connectionTicket: () => number;
}
export type MethodHandler = (args: Args, ctx: MethodContext) => MethodResult;

const fail = (error: string): MethodResult => ({ ok: false, error });
const hasContent = (args: Args) =>
  typeof args.text === 'string' && args.text !== ''
    ? true
    : args.blocks !== undefined || args.attachments !== undefined;

function messageBody(message: StoredMessage): Record<string, unknown> {
  return {
    type: 'message',
    user: SLACK.botUserId,
    bot_id: SLACK.botId,
    app_id: SLACK.appId,
    team: SLACK.teamId,
    ts: message.ts,
    text: message.text ?? '',
    ...(message.blocks !== undefined ? { blocks: message.blocks } : {}),
    ...(message.attachments !== undefined ? { attachments: message.attachments } : {}),
    ...(message.thread_ts !== undefined
      ? { thread_ts: message.thread_ts, parent_user_id: SLACK.botUserId }
      : {}),
    ...(message.edited !== undefined ? { edited: message.edited } : {}),
  };
}

function viewBody(view: Args, id: string, ctx: MethodContext, previous?: Args): Record<string, unknown> {
  return {
    ...view,
    id,
    team_id: SLACK.teamId,
    app_id: SLACK.appId,
    bot_id: SLACK.botId,
    app_installed_team_id: SLACK.teamId,
    private_metadata: view.private_metadata ?? '',
    callback_id: view.callback_id ?? '',
    external_id: view.external_id ?? previous?.external_id ?? '',
    state: { values: {} },
    hash: `${Math.floor(ctx.workspace.now() / 1000)}.${id}.${ctx.workspace.nextTs()}`,
    root_view_id: previous?.root_view_id ?? id,
    previous_view_id: null,
  };
}

const isView = (view: unknown): view is Args =>
  typeof view === 'object' &&
  view !== null &&
  typeof (view as Args).type === 'string' &&
  Array.isArray((view as Args).blocks);

export const METHODS: Record<string, MethodHandler> = {
  'auth.test': () => ({
    ok: true,
    url: `https://${SLACK.teamDomain}.slack.com/`,
    team: SLACK.teamName,
    user: SLACK.botName,
    team_id: SLACK.teamId,
    user_id: SLACK.botUserId,
    bot_id: SLACK.botId,
    is_enterprise_install: false,
  }),

  'apps.connections.open': (_args, ctx) =>
    ctx.socketModeUrl === undefined
      ? fail('fake_socket_mode_not_wired')
      : { ok: true, url: `${ctx.socketModeUrl}?ticket=fake-${ctx.connectionTicket()}&app_id=${SLACK.appId}` },

  'chat.postMessage': (args, { workspace }) => {
    if (!workspace.channelExists(args.channel)) return fail('channel_not_found');
    if (!hasContent(args)) return fail('no_text');
    const message: StoredMessage = {
      channel: args.channel,
      ts: workspace.nextTs(),
      ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
      ...(typeof args.text === 'string' ? { text: args.text } : {}),
      ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
      ...(args.attachments !== undefined ? { attachments: args.attachments } : {}),
      ...(args.metadata !== undefined ? { metadata: args.metadata } : {}),
    };
    workspace.saveMessage(message);
    return { ok: true, channel: message.channel, ts: message.ts, message: messageBody(message) };
  },

  'chat.update': (args, { workspace }) => {
    if (!workspace.channelExists(args.channel)) return fail('channel_not_found');
    const message = workspace.message(args.channel, String(args.ts));
    if (message === undefined) return fail('message_not_found');
    if (!hasContent(args)) return fail('no_text');
    if (typeof args.text === 'string') message.text = args.text;
    if (args.blocks !== undefined) message.blocks = args.blocks;
    if (args.attachments !== undefined) message.attachments = args.attachments;
    message.edited = { user: SLACK.botUserId, ts: workspace.nextTs() };
    return {
      ok: true,
      channel: message.channel,
      ts: message.ts,
      text: message.text ?? '',
      message: messageBody(message),
    };
  },

  'chat.delete': (args, { workspace }) => {
    if (!workspace.channelExists(args.channel)) return fail('channel_not_found');
    const key = `${args.channel}:${String(args.ts)}`;
    if (!workspace.messages.delete(key)) return fail('message_not_found');
    return { ok: true, channel: args.channel, ts: args.ts };
  },

  'chat.postEphemeral': (args, { workspace }) => {
    if (!workspace.channelExists(args.channel)) return fail('channel_not_found');
    if (typeof args.user !== 'string' || args.user === '') return fail('user_not_in_channel');
    if (!hasContent(args)) return fail('no_text');
    return { ok: true, message_ts: workspace.nextTs() };
  },

  'chat.getPermalink': (args, { workspace }) => {
    if (!workspace.channelExists(args.channel)) return fail('channel_not_found');
    if (typeof args.message_ts !== 'string' || !/^\d+\.\d{6}$/.test(args.message_ts))
      return fail('message_not_found');
    const parent = workspace.message(args.channel, args.message_ts)?.thread_ts;
    const base = `https://${SLACK.teamDomain}.slack.com/archives/${args.channel}/p${args.message_ts.replace('.', '')}`;
    const permalink =
      parent && parent !== args.message_ts ? `${base}?thread_ts=${parent}&cid=${args.channel}` : base;
    return { ok: true, channel: args.channel, permalink };
  },

  'views.open': (args, ctx) => {
    const trigger = args.trigger_id;
    if (typeof trigger !== 'string' || trigger === '') return fail('invalid_arguments');
    if (ctx.workspace.usedTriggers.has(trigger)) return fail('exchanged_trigger_id');
    if (!isView(args.view)) return fail('invalid_arguments');
    ctx.workspace.usedTriggers.add(trigger);
    const view = viewBody(args.view, ctx.workspace.nextViewId(), ctx);
    ctx.workspace.views.set(view.id as string, view);
    return { ok: true, view };
  },

  'views.update': (args, ctx) => {
    const { views } = ctx.workspace;
    const previous =
      typeof args.view_id === 'string'
        ? views.get(args.view_id)
        : [...views.values()].find(
            (v) => args.external_id !== undefined && v.external_id === args.external_id,
          );
    if (previous === undefined) return fail('not_found');
    if (args.hash !== undefined && args.hash !== previous.hash) return fail('hash_conflict');
    if (!isView(args.view)) return fail('invalid_arguments');
    const view = viewBody(args.view, previous.id as string, ctx, previous);
    views.set(view.id as string, view);
    return { ok: true, view };
  },

  'conversations.info': (args, { workspace }) =>
    workspace.channelExists(args.channel)
      ? { ok: true, channel: workspace.channelInfo(args.channel) }
      : fail('channel_not_found'),

  'usergroups.users.list': (args, { workspace }) => {
    const users = typeof args.usergroup === 'string' ? workspace.usergroups[args.usergroup] : undefined;
    return users === undefined ? fail('no_such_subteam') : { ok: true, users: [...users] };
  },

  'users.info': (args, { workspace }) => {
    const user = typeof args.user === 'string' ? workspace.userInfo(args.user) : undefined;
    return user === undefined ? fail('user_not_found') : { ok: true, user };
  },
};
