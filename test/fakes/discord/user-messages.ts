/**
 * A person typing a message in a channel or thread: the message as Discord stores it and the
 * MESSAGE_CREATE dispatch it sends the bot. As Discord does, guild messages reach only a client
 * that identified with the GUILD_MESSAGES intent, and their `content` (embeds, attachments,
 * components too) is empty without the privileged MESSAGE_CONTENT intent.
 */
import type { Json } from './messages.js';
import { DISCORD, type UserInput, userObject } from './objects.js';
import type { DiscordState } from './state.js';

export const INTENT = { guildMessages: 1 << 9, messageContent: 1 << 15 } as const;

export interface UserMessageInput {
  /** A text channel or a thread (a thread's id is the id of the message it started from). */
  channelId: string;
  content: string;
  user?: UserInput;
  /** Role ids of the author as a guild member. */
  roles?: string[];
}

export function userMessage(state: DiscordState, input: UserMessageInput): Json {
  const channel = state.channels.get(input.channelId);
  if (!channel) throw new Error(`fake: no channel or thread ${input.channelId}`);
  const now = state.nowIso();
  const message: Json = {
    id: state.nextId(),
    type: 0,
    channel_id: input.channelId,
    guild_id: channel.guild_id,
    author: userObject(input.user ?? DISCORD.user),
    member: {
      roles: input.roles ?? [],
      joined_at: now,
      nick: null,
      avatar: null,
      banner: null,
      deaf: false,
      mute: false,
      flags: 0,
      pending: false,
      premium_since: null,
      communication_disabled_until: null,
    },
    content: input.content,
    timestamp: now,
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    flags: 0,
    components: [],
  };
  state.messages.set(String(message.id), message);
  return message;
}

/** What the client is sent, given the intents of its IDENTIFY; undefined: nothing. */
export function messageCreateFor(message: Json, intents: number): Json | undefined {
  if ((intents & INTENT.guildMessages) === 0) return undefined;
  if ((intents & INTENT.messageContent) !== 0) return message;
  return { ...message, content: '', embeds: [], attachments: [], components: [] };
}
