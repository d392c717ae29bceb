/**
 * Proves the Discord stand-in against the real discord.js Client: login and READY with the guild
 * cached, slash commands with deferReply / editReply, buttons with update(), modals, autocomplete,
 * allowed mentions, threads, command registration, 429 retry, and resume vs re-identify after the
 * gateway connection drops. Adapter tests build on exactly this set-up.
 */
import { once } from 'node:events';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ChannelType,
  Client,
  type ClientOptions,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  ModalBuilder,
  type TextChannel,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DISCORD, type DiscordFake, startDiscordFake } from '../../fakes/discord/index.js';
import { within } from '../../fakes/shared/within.js';

let fake: DiscordFake;
let client: Client;

async function connect(extra: Partial<ClientOptions> = {}): Promise<Client> {
  const c = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiUrl }, ...extra });
  const ready = once(c, Events.ClientReady);
  await c.login('fake-bot-token');
  await within(ready, 5000, 'clientReady');
  return c;
}

/** Sends an interaction through the gateway and returns what discord.js made of it. */
async function deliver(interaction: Record<string, unknown>): Promise<Interaction> {
  const received = once(client, Events.InteractionCreate);
  fake.sendInteraction(interaction);
  return (await within(received, 5000, 'interactionCreate'))[0] as Interaction;
}

const jobsChannel = () => client.channels.cache.get(DISCORD.channelId) as TextChannel;

beforeEach(async () => {
  fake = await startDiscordFake();
  client = await connect();
});

afterEach(async () => {
  await client.destroy();
  await fake.close();
});

describe('gateway', () => {
  it('logs in with any token, identifies once and caches the guild and its channel', async () => {
    expect(fake.identifyCount).toBe(1);
    const identify = await fake.waitForGatewayOp(2);
    expect(identify.d).toMatchObject({ token: 'fake-bot-token', intents: GatewayIntentBits.Guilds });
    expect((await fake.waitForCall('GET', /^\/gateway\/bot$/)).token).toBe('fake-bot-token');
    expect(client.user?.id).toBe(DISCORD.botUser.id);
    expect(client.application?.id).toBe(DISCORD.applicationId);
    expect(jobsChannel().type).toBe(ChannelType.GuildText);
  });

  it('resumes after a resumable drop and delivers what was sent while away', async () => {
    const resumed = once(client, Events.ShardResume);
    await fake.dropConnection({ resumable: true });
    const away = fake.sendInteraction(fake.interactions.slashCommand({ subcommand: 'list' }));
    const arrived = once(client, Events.InteractionCreate);
    await within(resumed, 5000, 'shardResume');
    expect(((await within(arrived, 5000, 'the interaction sent while away'))[0] as Interaction).id).toBe(
      away.id,
    );
    expect([fake.identifyCount, fake.resumeCount]).toEqual([1, 1]);

    const later = await deliver(fake.interactions.slashCommand({ subcommand: 'status' }));
    expect(later.isChatInputCommand() && later.options.getSubcommand()).toBe('status');
  });

  it('identifies again after a drop that is not resumable', async () => {
    await client.destroy();
    // discord.js spaces identifies 5 s apart; a no-op throttle keeps this test fast.
    client = await connect({
      ws: { buildIdentifyThrottler: async () => ({ waitForIdentify: async () => undefined }) },
    });
    const ready = once(client, Events.ShardReady);
    await fake.dropConnection({ resumable: false });
    await within(ready, 10_000, 'shardReady after re-identifying');
    expect([fake.identifyCount, fake.resumeCount]).toEqual([3, 0]);
    const after = await deliver(fake.interactions.slashCommand({ subcommand: 'list' }));
    expect(after.isChatInputCommand()).toBe(true);
  });
});

describe('interactions', () => {
  it('slash command with subcommand and options: deferReply(ephemeral) then editReply', async () => {
    const interaction = await deliver(
      fake.interactions.slashCommand({
        subcommand: 'register',
        options: { profile: 'claude', prompt: 'fix the build' },
      }),
    );
    if (!interaction.isChatInputCommand()) throw new Error('expected a chat input command');
    expect(interaction.commandName).toBe('hermes');
    expect(interaction.options.getSubcommand()).toBe('register');
    expect(interaction.options.getString('prompt', true)).toBe('fix the build');

    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const reply = await interaction.editReply({ content: 'registered j-1', allowedMentions: { parse: [] } });
    expect(reply.content).toBe('registered j-1');

    const callback = await fake.waitForCall('POST', /^\/interactions\/\d+\/[^/]+\/callback$/);
    expect(callback.body).toEqual({ type: 5, data: { flags: MessageFlags.Ephemeral } });
    expect(callback.token).toBeUndefined();
    const edit = await fake.waitForCall('PATCH', /^\/webhooks\/\d+\/[^/]+\/messages\/@original$/);
    expect(edit.body).toMatchObject({ content: 'registered j-1', allowed_mentions: { parse: [] } });
  });

  it('button click: custom_id arrives and update() rewrites the message it sits on', async () => {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('approve:r-1').setLabel('Approve').setStyle(ButtonStyle.Success),
    );
    const prompt = await jobsChannel().send({ content: 'Run `npm test`?', components: [row] });
    const interaction = await deliver(
      fake.interactions.button({ customId: 'approve:r-1', message: prompt.id }),
    );
    if (!interaction.isButton()) throw new Error('expected a button');
    expect(interaction.customId).toBe('approve:r-1');
    expect(interaction.message.id).toBe(prompt.id);

    await interaction.update({ content: 'Approved by alice', components: [] });
    const callback = await fake.waitForCall('POST', /\/callback$/);
    expect(callback.body).toEqual({
      type: 7,
      data: expect.objectContaining({ content: 'Approved by alice', components: [] }),
    });
    expect(fake.state.messages.get(prompt.id)).toMatchObject({
      content: 'Approved by alice',
      components: [],
    });
  });

  it('modal: showModal answers the command, the submission carries the text input values', async () => {
    const command = await deliver(fake.interactions.slashCommand({ subcommand: 'register' }));
    if (!command.isChatInputCommand()) throw new Error('expected a chat input command');
    const modal = new ModalBuilder()
      .setCustomId('register-modal')
      .setTitle('Register a job')
      .addComponents(
        new ActionRowBuilder<TextInputBuilder>().addComponents(
          new TextInputBuilder().setCustomId('prompt').setLabel('Prompt').setStyle(TextInputStyle.Paragraph),
        ),
      );
    await command.showModal(modal);
    expect((await fake.waitForCall('POST', /\/callback$/)).body).toMatchObject({
      type: 9,
      data: { custom_id: 'register-modal' },
    });

    const submit = await deliver(
      fake.interactions.modalSubmit({ customId: 'register-modal', fields: { prompt: 'fix it' } }),
    );
    if (!submit.isModalSubmit()) throw new Error('expected a modal submission');
    expect(submit.fields.getTextInputValue('prompt')).toBe('fix it');
    await submit.reply({ content: 'ok', flags: MessageFlags.Ephemeral });
    const answers = fake.calls
      .filter((c) => c.path.endsWith('/callback'))
      .map((c) => (c.body as { type: number }).type);
    expect(answers).toEqual([9, 4]);
  });

  it('autocomplete: the focused option is readable and respond() sends the choices', async () => {
    const interaction = await deliver(
      fake.interactions.autocomplete({
        subcommand: 'register',
        options: { profile: 'cl' },
        focused: 'profile',
      }),
    );
    if (!interaction.isAutocomplete()) throw new Error('expected autocomplete');
    expect(interaction.options.getFocused(true)).toMatchObject({ name: 'profile', value: 'cl' });
    await interaction.respond([{ name: 'claude', value: 'claude' }]);
    expect((await fake.waitForCall('POST', /\/callback$/)).body).toEqual({
      type: 8,
      data: { choices: [{ name: 'claude', value: 'claude' }] },
    });
  });
});

describe('REST', () => {
  it('records allowed_mentions and resolves mentions like Discord does', async () => {
    const text = '<@1180000000000000999> <@&1180000000000000400> @everyone';
    const quiet = await jobsChannel().send({ content: text, allowedMentions: { parse: [] } });
    const loud = await jobsChannel().send({ content: text });
    const [quietCall, loudCall] = fake.calls.filter(
      (c) => c.method === 'POST' && c.path.endsWith('/messages'),
    );
    expect(quietCall!.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(loudCall!.body).not.toHaveProperty('allowed_mentions');
    expect([quiet.mentions.users.size, quiet.mentions.roles.size, quiet.mentions.everyone]).toEqual([
      0,
      0,
      false,
    ]);
    expect([loud.mentions.users.size, loud.mentions.everyone]).toEqual([1, true]);
  });

  it('starts a thread from a message (thread id = message id) and posts into it', async () => {
    const announcement = await jobsChannel().send('job j-1 registered');
    const thread = await announcement.startThread({ name: 'job j-1' });
    expect(thread.id).toBe(announcement.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    await thread.send('started');
    await fake.waitForCall('POST', new RegExp(`^/channels/${thread.id}/messages$`));
    const fetched = await client.channels.fetch(thread.id, { force: true });
    expect(fetched?.type).toBe(ChannelType.PublicThread);
    await expect(announcement.startThread({ name: 'again' })).rejects.toThrow();
  });

  it('registers guild commands with a bulk overwrite that returns ids', async () => {
    const commands = await client.application!.commands.set(
      [{ name: 'hermes', description: 'Drive coding agents', options: [] }],
      DISCORD.guildId,
    );
    expect([...commands.values()].map((c) => c.name)).toEqual(['hermes']);
    expect(commands.first()?.id).toMatch(/^\d+$/);
    expect((await fake.waitForCall('PUT', /\/guilds\/\d+\/commands$/)).body).toEqual([
      expect.objectContaining({ name: 'hermes' }),
    ]);
  });

  it('waits out a 429 and retries', async () => {
    const limited: number[] = [];
    client.rest.on('rateLimited', (info) => limited.push(info.retryAfter));
    fake.failNext('POST', /\/channels\/\d+\/messages$/, { status: 429, retryAfter: 0.2 });
    const message = await jobsChannel().send('after the limit');
    expect(message.content).toBe('after the limit');
    expect(limited).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path.endsWith('/messages')).map((c) => c.status)).toEqual([429, 200]);
  });
});
