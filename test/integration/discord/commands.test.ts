/**
 * `/hermes` through discord.js: acknowledged within Discord's 3 s even when the work behind it is
 * slow, autocomplete of profiles, interactions from another server refused; and
 * `hermes discord register-commands` against the stand-in.
 */
import { MessageFlags } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { SUBCOMMANDS } from '../../../adapters/discord/commands.js';
import type { RunnerControl } from '../../../src/bot/runner-control.js';
import { DISCORD, type DiscordFake, startDiscordFake } from '../../fakes/discord/index.js';
import { runHermes, tempHome } from '../../helpers/cli.js';
import { callbackOf, DiscordWorld, OWNER, TOKEN, webhookOriginal } from './support.js';

type Json = Record<string, unknown>;
let world: DiscordWorld | undefined;
let fake: DiscordFake | undefined;
const cleanups: Array<() => void> = [];

afterEach(async () => {
  await world?.close();
  await fake?.close();
  world = undefined;
  fake = undefined;
  for (const c of cleanups.splice(0)) c();
});

describe('/hermes on Discord', () => {
  it('acknowledges within 3 s even when the runner is slow, then answers by editing', async () => {
    let now = Date.now();
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    world = await DiscordWorld.start({
      fake: { now: () => now, callbackDeadlineMs: 3000 },
      plugin: {
        runners: (ctx): RunnerControl => ({
          list: () => ctx.runners.list(),
          peek: (jobId, lines) => ctx.runners.peek(jobId, lines),
          kick: () => ctx.runners.kick(),
          async cancel(jobId) {
            await held;
            ctx.registry.cancel(jobId, 'cancelled (test)');
          },
        }),
      },
    });
    const { job } = await world.register();
    const interaction = world.fake.sendInteraction(
      world.fake.interactions.slashCommand({ subcommand: 'cancel', options: { job: job.id }, user: OWNER }),
    );
    const ack = await world.fake.waitForCall('POST', callbackOf(interaction));
    expect([ack.status, ack.body]).toEqual([204, { type: 5, data: { flags: MessageFlags.Ephemeral } }]);
    // Discord's deadline passes while the runner takes its time; the deferred reply is still edited.
    now += 10_000;
    release();
    const edit = await world.fake.waitForCall('PATCH', webhookOriginal(interaction));
    expect([edit.status, (edit.body as Json).content]).toEqual([200, `Cancelled ${job.id}.`]);
  });

  it('autocompletes profiles from the runner config and the runners', async () => {
    world = await DiscordWorld.start({
      yaml: 'runner:\n  profiles:\n    claude: { argv: [claude] }\n    codex: { argv: [codex] }\n',
      plugin: {
        runners: (ctx): RunnerControl => ({
          cancel: (jobId, by) => ctx.runners.cancel(jobId, by),
          peek: (jobId, lines) => ctx.runners.peek(jobId, lines),
          kick: () => ctx.runners.kick(),
          list: () => [{ id: 'r1', state: 'online', profiles: ['aider', 'codex'], lastSeen: null }],
        }),
      },
    });
    const ask = async (typed: string) => {
      const i = world!.fake.sendInteraction(
        world!.fake.interactions.autocomplete({
          subcommand: 'register',
          options: { profile: typed },
          focused: 'profile',
        }),
      );
      return (await world!.fake.waitForCall('POST', callbackOf(i))).body;
    };
    expect(await ask('co')).toEqual({ type: 8, data: { choices: [{ name: 'codex', value: 'codex' }] } });
    expect(await ask('')).toMatchObject({
      data: { choices: ['aider', 'claude', 'codex'].map((p) => ({ name: p, value: p })) },
    });
  });

  it('help answers privately; an interaction from another server is refused and does nothing', async () => {
    const other = {
      id: '1180000000000009100',
      name: 'Elsewhere',
      channels: [{ id: '1180000000000009200', name: 'x' }],
    };
    world = await DiscordWorld.start({
      fake: { guilds: [{ ...DEFAULT_GUILD_INPUT }, other] },
    });
    const help = await world.command('help');
    expect(help.reply).toContain('/hermes register');

    const i = world.fake.sendInteraction(
      world.fake.interactions.slashCommand({
        subcommand: 'register',
        options: { profile: 'demo', prompt: 'x' },
        channelId: '1180000000000009200',
      }),
    );
    const answer = await world.fake.waitForCall('POST', callbackOf(i));
    expect(answer.body).toMatchObject({
      type: 4,
      data: { content: expect.stringContaining('its own server') },
    });
    expect(world.bot.registry.list()).toEqual([]);
  });
});

const DEFAULT_GUILD_INPUT = {
  id: DISCORD.guildId,
  name: DISCORD.guildName,
  channels: [{ id: DISCORD.channelId, name: DISCORD.channelName }],
  roles: [{ id: DISCORD.approverRoleId, name: 'hermes-approvers' }],
};

describe('hermes discord register-commands', () => {
  async function env(extra: Record<string, string> = {}) {
    fake = await startDiscordFake({ token: TOKEN });
    const t = tempHome('hermes-discord-cli-');
    cleanups.push(t.cleanup);
    return { HERMES_HOME: t.home, DISCORD_TOKEN: TOKEN, HERMES_DISCORD_API_URL: fake.apiUrl, ...extra };
  }

  it('registers /hermes with every subcommand and typed options in the guild, and says so', async () => {
    const e = await env({ DISCORD_APPLICATION_ID: DISCORD.applicationId });
    const r = await runHermes(['discord', 'register-commands', '--guild', DISCORD.guildId, '--json'], {
      env: e,
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Json;
    expect(out).toMatchObject({
      application_id: DISCORD.applicationId,
      guild_id: DISCORD.guildId,
      subcommands: [...SUBCOMMANDS],
    });
    const [command] = fake!.state.commands.get(DISCORD.guildId)!;
    expect(command).toMatchObject({ name: 'hermes', id: out.command_id });
    const register = (command!.options as Json[]).find((o) => o.name === 'register')!;
    expect(register.options).toEqual([
      expect.objectContaining({ name: 'profile', type: 3, required: true, autocomplete: true }),
      expect.objectContaining({ name: 'prompt', type: 3, required: true }),
      expect.objectContaining({ name: 'runner', type: 3, required: false }),
      expect.objectContaining({ name: 'cwd', type: 3, required: false }),
      expect.objectContaining({ name: 'max_cost', type: 10, required: false }),
      expect.objectContaining({ name: 'repo', type: 3, required: false }),
    ]);
    const schedule = (command!.options as Json[]).find((o) => o.name === 'schedule')!;
    expect(schedule.type).toBe(2); // a subcommand group
    expect((schedule.options as Json[]).map((o) => o.name)).toEqual([
      'add',
      'list',
      'remove',
      'pause',
      'resume',
    ]);
    const add = (schedule.options as Json[])[0]!;
    expect((add.options as Json[]).map((o) => [o.name, o.required])).toEqual([
      ['cron', true],
      ['profile', true],
      ['prompt', true],
      ['runner', false],
      ['repo', false],
      ['overlap', false],
    ]);
    const peek = (command!.options as Json[]).find((o) => o.name === 'peek')!;
    expect(peek.options).toContainEqual(
      expect.objectContaining({ name: 'lines', type: 4, min_value: 1, max_value: 200 }),
    );
  });

  it('finds the application itself and takes the guild from HERMES_DISCORD_GUILD_ID', async () => {
    const e = await env({ HERMES_DISCORD_GUILD_ID: DISCORD.guildId });
    const r = await runHermes(['discord', 'register-commands'], { env: e });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `Registered /hermes \\(register, list, .*help\\) in guild ${DISCORD.guildId} for application ${DISCORD.applicationId}`,
      ),
    );
    expect(fake!.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /applications/@me',
      `PUT /applications/${DISCORD.applicationId}/guilds/${DISCORD.guildId}/commands`,
    ]);
  });

  it('says what is missing or wrong, without the token', async () => {
    const noGuild = await runHermes(['discord', 'register-commands'], { env: await env() });
    expect(noGuild.code).toBe(2);
    expect(noGuild.stderr).toMatch(/no guild to register in.*HERMES_DISCORD_GUILD_ID/);
    await fake!.close();

    const e = await env({ DISCORD_TOKEN: 'wrong-token', HERMES_DISCORD_GUILD_ID: DISCORD.guildId });
    const refused = await runHermes(['discord', 'register-commands'], { env: e });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Discord refused the command registration.*Reset Token/);
    expect(refused.stderr).not.toContain('wrong-token');
  });
});
