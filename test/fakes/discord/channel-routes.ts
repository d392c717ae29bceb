/**
 * REST routes for the bot's own resources: gateway discovery, the bot user and application,
 * channels, messages, threads and application commands.
 */
import {
  apiError,
  applyEdit,
  buildMessage,
  type Json,
  MESSAGE_FLAGS,
  validateMessageBody,
} from './messages.js';
import { botUserObject, DISCORD, threadObject } from './objects.js';
import { ok, type Route, type RouteRequest, type RouteResponse } from './routes.js';

const ID = '(\\d+)';
const unknownChannel = () => apiError(404, 10003, 'Unknown Channel');
const unknownMessage = () => apiError(404, 10008, 'Unknown Message');

function createMessage({ params, body, files, ctx }: RouteRequest): RouteResponse {
  const channel = ctx.state.channels.get(params[0]!);
  if (channel === undefined) return unknownChannel();
  const invalid = validateMessageBody(body, files.length);
  if (invalid) return invalid;
  const message = buildMessage({
    id: ctx.state.nextId(),
    channelId: String(channel.id),
    guildId: channel.guild_id as string | undefined,
    body,
    nowIso: ctx.state.nowIso(),
    type: body.message_reference === undefined ? 0 : 19,
  });
  // Multipart uploads (files[n] parts, described in payload_json's attachments): Discord answers
  // attachment objects; the stand-in keeps the bytes for the test.
  message.attachments = files.map((f) => {
    const id = ctx.state.nextId();
    ctx.state.attachmentBytes.set(id, f.bytes);
    return {
      id,
      filename: f.filename,
      size: f.size,
      url: `https://cdn.discordapp.com/attachments/${String(channel.id)}/${id}/${f.filename}`,
      proxy_url: `https://media.discordapp.net/attachments/${String(channel.id)}/${id}/${f.filename}`,
    };
  });
  ctx.state.messages.set(String(message.id), message);
  channel.last_message_id = message.id;
  if (typeof channel.message_count === 'number') channel.message_count += 1;
  return ok(message);
}

function messageIn(req: RouteRequest): Json | undefined {
  const message = req.ctx.state.messages.get(req.params[1]!);
  return message?.channel_id === req.params[0] ? message : undefined;
}

function createThread(req: RouteRequest, fromMessage: boolean): RouteResponse {
  const { ctx, body, params } = req;
  const parent = ctx.state.channels.get(params[0]!);
  if (parent === undefined) return unknownChannel();
  if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100) {
    return apiError(400, 50035, 'Invalid Form Body', {
      name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] },
    });
  }
  const message = fromMessage ? messageIn(req) : undefined;
  if (fromMessage && message === undefined) return unknownMessage();
  if (message?.thread !== undefined)
    return apiError(400, 160004, 'A thread has already been created for this message');
  // Discord gives a thread started from a message the message's id.
  const id = message ? String(message.id) : ctx.state.nextId();
  const thread = threadObject({
    id,
    guildId: String(parent.guild_id),
    parentId: String(parent.id),
    name: body.name,
    type: fromMessage ? 11 : typeof body.type === 'number' ? body.type : 12,
    autoArchiveDuration: typeof body.auto_archive_duration === 'number' ? body.auto_archive_duration : 1440,
    nowIso: ctx.state.nowIso(),
  });
  ctx.state.channels.set(id, thread);
  if (message) {
    message.thread = thread;
    message.flags = (message.flags as number) | MESSAGE_FLAGS.hasThread;
  }
  ctx.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
  return ok({ ...thread, newly_created: true });
}

const COMMAND_NAME = /^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$/u;

function overwriteCommands({ params, body, ctx }: RouteRequest, guildId: string | undefined): RouteResponse {
  if (params[0] !== DISCORD.applicationId) return apiError(403, 50001, 'Missing Access');
  if (!Array.isArray(body)) return apiError(400, 50035, 'Invalid Form Body');
  const key = guildId ?? 'global';
  const previous = ctx.state.commands.get(key) ?? [];
  const commands: Json[] = [];
  for (const [i, command] of (body as Json[]).entries()) {
    const type = typeof command.type === 'number' ? command.type : 1;
    const badName = typeof command.name !== 'string' || (type === 1 && !COMMAND_NAME.test(command.name));
    const description = typeof command.description === 'string' ? command.description : '';
    if (badName || (type === 1 && (description.length < 1 || description.length > 100))) {
      return apiError(400, 50035, 'Invalid Form Body', {
        [i]: { _errors: [{ code: 'APPLICATION_COMMAND_INVALID', message: 'Invalid command' }] },
      });
    }
    commands.push({
      id: previous.find((p) => p.name === command.name)?.id ?? ctx.state.nextId(),
      application_id: DISCORD.applicationId,
      ...(guildId ? { guild_id: guildId } : {}),
      version: ctx.state.nextId(),
      default_member_permissions: null,
      nsfw: false,
      options: [],
      ...command,
      type,
      description,
    });
  }
  ctx.state.commands.set(key, commands);
  return ok(commands);
}

export const CHANNEL_ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/gateway\/bot$/,
    auth: true,
    handle: ({ ctx }) =>
      ok({
        url: ctx.gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      }),
  },
  { method: 'GET', pattern: /^\/gateway$/, auth: false, handle: ({ ctx }) => ok({ url: ctx.gatewayUrl() }) },
  { method: 'GET', pattern: /^\/users\/@me$/, auth: true, handle: () => ok(botUserObject()) },
  {
    method: 'GET',
    pattern: /^\/applications\/@me$/,
    auth: true,
    handle: () =>
      ok({
        id: DISCORD.applicationId,
        name: 'Hermes',
        icon: null,
        description: 'Hermes chat-ops (fake)',
        bot_public: false,
        bot_require_code_grant: false,
        flags: 0,
        bot: botUserObject(),
        owner: { id: DISCORD.user.id, username: DISCORD.user.username },
        team: null,
        verify_key: '0'.repeat(64),
        tags: [],
        approximate_guild_count: 1,
      }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/channels/${ID}$`),
    auth: true,
    handle: ({ params, ctx }) => {
      const channel = ctx.state.channels.get(params[0]!);
      return channel ? ok(channel) : unknownChannel();
    },
  },
  { method: 'POST', pattern: new RegExp(`^/channels/${ID}/messages$`), auth: true, handle: createMessage },
  {
    method: 'GET',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    auth: true,
    handle: (req) => {
      const message = messageIn(req);
      return message ? ok(message) : unknownMessage();
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    auth: true,
    handle: (req) => {
      const message = messageIn(req);
      if (message === undefined) return unknownMessage();
      const invalid = validateMessageBody(req.body, req.files.length, { editing: true });
      return invalid ?? ok(applyEdit(message, req.body, req.ctx.state.nowIso()));
    },
  },
  {
    method: 'DELETE',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}$`),
    auth: true,
    handle: (req) =>
      messageIn(req) && req.ctx.state.messages.delete(req.params[1]!) ? ok() : unknownMessage(),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/channels/${ID}/messages/${ID}/threads$`),
    auth: true,
    handle: (r) => createThread(r, true),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/channels/${ID}/threads$`),
    auth: true,
    handle: (r) => createThread(r, false),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/channels/${ID}/typing$`),
    auth: true,
    handle: ({ params, ctx }) => (ctx.state.channels.has(params[0]!) ? ok() : unknownChannel()),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/applications/${ID}/guilds/${ID}/commands$`),
    auth: true,
    handle: (r) => overwriteCommands(r, r.params[1]),
  },
  {
    method: 'PUT',
    pattern: new RegExp(`^/applications/${ID}/commands$`),
    auth: true,
    handle: (r) => overwriteCommands(r, undefined),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/applications/${ID}/guilds/${ID}/commands$`),
    auth: true,
    handle: ({ params, ctx }) => ok(ctx.state.commands.get(params[1]!) ?? []),
  },
];
