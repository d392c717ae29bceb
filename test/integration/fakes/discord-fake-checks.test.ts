/**
 * The checks the Discord stand-in makes the way Discord does, seen through discord.js: one answer
 * per interaction, the 3 s deadline (when enabled), error codes, token checks, and two behaviours
 * adapters rely on (client-wide allowedMentions, a follow-up replacing the deferred "thinking…").
 */
import { once } from 'node:events';
import {
  Client,
  type ClientOptions,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DISCORD,
  type DiscordFake,
  type DiscordFakeOptions,
  MESSAGE_FLAGS,
  startDiscordFake,
} from '../../fakes/discord/index.js';
import { within } from '../../fakes/shared/within.js';

let fake: DiscordFake | undefined;
let client: Client | undefined;

async function setup(fakeOpts: DiscordFakeOptions = {}, clientOpts: Partial<ClientOptions> = {}) {
  fake = await startDiscordFake(fakeOpts);
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl }, ...clientOpts });
  const ready = once(client, Events.ClientReady);
  await client.login(fakeOpts.token ?? 'fake-bot-token');
  await within(ready, 5000, 'clientReady');
  return { fake, client };
}

async function deliver(
  f: DiscordFake,
  c: Client,
  interaction: Record<string, unknown>,
): Promise<Interaction> {
  const received = once(c, Events.InteractionCreate);
  f.sendInteraction(interaction);
  return (await within(received, 5000, 'interactionCreate'))[0] as Interaction;
}

afterEach(async () => {
  await client?.destroy();
  await fake?.close();
  client = undefined;
  fake = undefined;
});

describe('Discord stand-in checks', () => {
  it('refuses a second answer to one interaction with 40060', async () => {
    const { fake, client } = await setup();
    const interaction = fake.sendInteraction(fake.interactions.slashCommand({ subcommand: 'list' }));
    const path = `/interactions/${String(interaction.id)}/${String(interaction.token)}/callback` as const;
    await client.rest.post(path, { body: { type: 4, data: { content: 'one' } }, auth: false });
    const second = client.rest.post(path, { body: { type: 4, data: { content: 'two' } }, auth: false });
    await expect(second).rejects.toMatchObject({ code: 40060 });
  });

  it('refuses a first answer after the deadline with 10062 when callbackDeadlineMs is set', async () => {
    let now = Date.now();
    const { fake, client } = await setup({ now: () => now, callbackDeadlineMs: 3000 });
    const interaction = await deliver(fake, client, fake.interactions.slashCommand({ subcommand: 'list' }));
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    now += 3001;
    await expect(interaction.deferReply()).rejects.toMatchObject({ code: 10062 });
  });

  it('applies a client-wide allowedMentions default to interaction replies', async () => {
    const { fake, client } = await setup({}, { allowedMentions: { parse: [] } });
    const interaction = await deliver(fake, client, fake.interactions.slashCommand({ subcommand: 'list' }));
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.reply('<@1180000000000000999> @everyone look');
    const callback = await fake.waitForCall('POST', /\/callback$/);
    expect(callback.body).toMatchObject({ type: 4, data: { allowed_mentions: { parse: [] } } });
    const reply = await interaction.fetchReply();
    expect([reply.mentions.users.size, reply.mentions.everyone]).toEqual([0, false]);
  });

  it('lets the first follow-up of a deferred reply replace the loading message', async () => {
    const { fake, client } = await setup();
    const interaction = await deliver(fake, client, fake.interactions.slashCommand({ subcommand: 'list' }));
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    await interaction.deferReply();
    await fake.waitForCall('POST', /\/callback$/);
    const original = [...fake.state.messages.values()].at(-1)!;
    expect((original.flags as number) & MESSAGE_FLAGS.loading).not.toBe(0);
    const followUp = await interaction.followUp('3 jobs running');
    expect(followUp.id).toBe(original.id);
    expect(followUp.content).toBe('3 jobs running');
    expect((original.flags as number) & MESSAGE_FLAGS.loading).toBe(0);
  });

  it('answers bad requests with the Discord error codes discord.js surfaces', async () => {
    const { client } = await setup();
    await expect(client.channels.fetch('1180000000000009999')).rejects.toMatchObject({ code: 10003 });
    const channel = client.channels.cache.get(DISCORD.channelId);
    if (!channel?.isSendable()) throw new Error('expected the jobs channel to be cached');
    const tooLong = channel.send('x'.repeat(2001));
    await expect(tooLong).rejects.toBeInstanceOf(DiscordAPIError);
    await expect(tooLong).rejects.toMatchObject({ code: 50035 });
    await expect(channel.send({ content: ' ' })).rejects.toMatchObject({ code: 50006 });
  });

  it('refuses another bot token when one is configured', async () => {
    fake = await startDiscordFake({ token: 'the-right-token' });
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl } });
    await expect(client.login('a-wrong-token')).rejects.toMatchObject({ code: 'TokenInvalid' });
    expect(fake.calls.map((c) => [c.path, c.status])).toEqual([['/gateway/bot', 401]]);
  });
});
