/**
 * Message bodies as Discord checks and stores them. Mentions are resolved the way Discord resolves
 * them (content tokens filtered by `allowed_mentions`), so a test can assert that agent text
 * pinged nobody by reading `mentions` / `mention_roles` / `mention_everyone` of the stored message.
 */
import { botUserObject, userObject } from './objects.js';

export type Json = Record<string, unknown>;

export const MESSAGE_FLAGS = { ephemeral: 1 << 6, hasThread: 1 << 5, loading: 1 << 7 } as const;

export interface ApiErrorBody {
  status: number;
  body: Json;
}

export const apiError = (status: number, code: number, message: string, errors?: Json): ApiErrorBody => ({
  status,
  body: { message, code, ...(errors ? { errors } : {}) },
});

const formError = (field: string, code: string, message: string) =>
  apiError(400, 50035, 'Invalid Form Body', { [field]: { _errors: [{ code, message }] } });

/** Discord's checks on a message body, or undefined when it would be accepted. */
export function validateMessageBody(
  body: Json,
  fileCount: number,
  { editing = false } = {},
): ApiErrorBody | undefined {
  if (typeof body.content === 'string' && body.content.length > 2000) {
    return formError('content', 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  if (editing) return undefined;
  const hasContent =
    (typeof body.content === 'string' && body.content.trim() !== '') ||
    (Array.isArray(body.embeds) && body.embeds.length > 0) ||
    (Array.isArray(body.components) && body.components.length > 0) ||
    (Array.isArray(body.sticker_ids) && body.sticker_ids.length > 0) ||
    body.poll !== undefined ||
    fileCount > 0;
  return hasContent ? undefined : apiError(400, 50006, 'Cannot send an empty message');
}

interface AllowedMentions {
  parse?: string[];
  users?: string[];
  roles?: string[];
}

/** Who a message would ping: Discord's default (no allowed_mentions) is everything in the content. */
export function resolveMentions(content: string, allowed: AllowedMentions | undefined): Json {
  const parse = allowed === undefined ? ['users', 'roles', 'everyone'] : (allowed.parse ?? []);
  const users = [...content.matchAll(/<@!?(\d+)>/g)]
    .map((m) => m[1]!)
    .filter((id) => parse.includes('users') || (allowed?.users ?? []).includes(id));
  const roles = [...content.matchAll(/<@&(\d+)>/g)]
    .map((m) => m[1]!)
    .filter((id) => parse.includes('roles') || (allowed?.roles ?? []).includes(id));
  return {
    mentions: [...new Set(users)].map((id) => userObject({ id, username: `user-${id}` })),
    mention_roles: [...new Set(roles)],
    mention_everyone: parse.includes('everyone') && /@(everyone|here)\b/.test(content),
  };
}

export interface NewMessage {
  id: string;
  channelId: string;
  guildId: string | undefined;
  body: Json;
  nowIso: string;
  /** 0 default, 19 reply, 20 chat input command response. */
  type?: number;
  extra?: Json;
}

export function buildMessage(input: NewMessage): Json {
  const content = typeof input.body.content === 'string' ? input.body.content : '';
  return {
    id: input.id,
    channel_id: input.channelId,
    ...(input.guildId ? { guild_id: input.guildId } : {}),
    type: input.type ?? 0,
    content,
    author: botUserObject(),
    timestamp: input.nowIso,
    edited_timestamp: null,
    tts: input.body.tts === true,
    ...resolveMentions(content, input.body.allowed_mentions as AllowedMentions | undefined),
    mention_channels: [],
    attachments: [],
    embeds: Array.isArray(input.body.embeds) ? input.body.embeds : [],
    components: Array.isArray(input.body.components) ? input.body.components : [],
    pinned: false,
    flags: typeof input.body.flags === 'number' ? input.body.flags : 0,
    ...(input.body.nonce !== undefined ? { nonce: input.body.nonce } : {}),
    ...(input.body.message_reference !== undefined
      ? { message_reference: input.body.message_reference }
      : {}),
    ...input.extra,
  };
}

/** Applies an edit (PATCH) the way Discord does: only the fields sent change; loading ends. */
export function applyEdit(message: Json, body: Json, nowIso: string): Json {
  for (const key of ['content', 'embeds', 'components', 'attachments'] as const) {
    if (body[key] !== undefined && body[key] !== null) message[key] = body[key];
  }
  if (typeof body.flags === 'number') message.flags = body.flags;
  message.flags = (message.flags as number) & ~MESSAGE_FLAGS.loading;
  Object.assign(
    message,
    resolveMentions(String(message.content ?? ''), body.allowed_mentions as AllowedMentions | undefined),
  );
  message.edited_timestamp = nowIso;
  return message;
}
