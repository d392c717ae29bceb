/**
 * Messages typed into a job's thread, as follow-ups for its agent (only with
 * `discord.message_content`: reading message text needs the privileged Message Content intent).
 * Only people's messages in threads of the one guild Hermes serves reach the core, which ignores
 * those of anyone who may not follow up. Its private answer is a reply in the thread that pings
 * nobody (Discord has no ephemeral answer to a plain message).
 */
import { type Client, Events, type Message } from 'discord.js';
import type { ChatInbound, ChatMessage } from '../../src/chat/port.js';
import type { Logger } from '../../src/log.js';
import { renderMessage } from './blocks.js';
import type { CustomIds } from './custom-ids.js';
import { DISCORD_PLATFORM } from './port.js';

export interface ThreadMessageDeps {
  core: ChatInbound;
  ids: CustomIds;
  guildId: string;
  log: Logger;
}

export function registerThreadMessages(client: Client, deps: ThreadMessageDeps): () => void {
  const { core, ids, log } = deps;
  const listener = (m: Message) => {
    const ch = m.channel;
    if (m.author.bot || m.system || !m.inGuild() || m.guildId !== deps.guildId || !ch.isThread()) return;
    if (m.content.trim() === '') return;
    const roles = m.member ? [...m.member.roles.cache.keys()] : [];
    core
      .handleThreadMessage({
        actor: { platform: DISCORD_PLATFORM, user: m.author.id, roles },
        channel: ch.parentId ?? ch.id,
        thread: { channel: ch.id, id: ch.id },
        text: m.content,
        reply: async (msg: ChatMessage) => {
          await m.reply({ ...renderMessage(msg, ids), allowedMentions: { parse: [], repliedUser: false } });
        },
      })
      .catch((err: unknown) => log.error({ err, message: m.id }, 'Discord thread message failed'));
  };
  client.on(Events.MessageCreate, listener);
  return () => client.off(Events.MessageCreate, listener);
}
