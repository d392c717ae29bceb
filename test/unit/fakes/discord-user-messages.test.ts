/** The Discord stand-in sends a person's message only as the client's intents allow, like Discord. */
import { describe, expect, it } from 'vitest';
import { DISCORD } from '../../fakes/discord/objects.js';
import { DiscordState } from '../../fakes/discord/state.js';
import { INTENT, messageCreateFor, userMessage } from '../../fakes/discord/user-messages.js';

describe('MESSAGE_CREATE of a person', () => {
  const state = new DiscordState();
  const m = userMessage(state, { channelId: DISCORD.channelId, content: 'hello there', roles: ['r1'] });

  it('is stored with its author and member roles', () => {
    expect(state.messages.get(String(m.id))).toBe(m);
    expect(m).toMatchObject({
      channel_id: DISCORD.channelId,
      guild_id: DISCORD.guildId,
      content: 'hello there',
    });
    expect((m.author as { id: string }).id).toBe(DISCORD.user.id);
    expect((m.member as { roles: string[] }).roles).toEqual(['r1']);
  });

  it('needs GUILD_MESSAGES to be sent at all, and MESSAGE_CONTENT for its text', () => {
    expect(messageCreateFor(m, 1)).toBeUndefined();
    expect(messageCreateFor(m, 1 | INTENT.guildMessages)).toMatchObject({ id: m.id, content: '' });
    expect(messageCreateFor(m, 1 | INTENT.guildMessages | INTENT.messageContent)).toMatchObject({
      content: 'hello there',
    });
  });

  it('refuses a channel it does not know', () => {
    expect(() => userMessage(state, { channelId: '1', content: 'x' })).toThrow(/no channel or thread 1/);
  });
});
