/**
 * The whole Discord journey with the real discord.js Client against the stand-in, a real broker
 * and the in-process bot: `/hermes register` -> card + thread -> the agent's `hermes publish`
 * events in the thread -> `hermes ask` shows buttons -> an approver clicks Approve -> `hermes ask`
 * exits 0 -> `completed` is announced in the channel. Every message goes out with mentions off.
 */
import { MessageFlags } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { permissionRequestsOf } from '../../../src/jobs/queries.js';
import { DISCORD } from '../../fakes/discord/index.js';
import { spawnHermes } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';
import {
  APPROVER,
  buttonsOf,
  CHANNEL,
  callbackOf,
  DiscordWorld,
  OWNER,
  spawnAgent,
  TOKEN,
} from './support.js';

let world: DiscordWorld;

beforeEach(async () => {
  world = await DiscordWorld.start();
});
afterEach(async () => {
  await world.close();
});

type Json = Record<string, unknown>;

describe('Discord journey', () => {
  it('register -> thread -> events -> Approve -> ask exits 0 -> completed announced', async () => {
    // /hermes register: acknowledged at once (deferred, private), then answered by editing that reply.
    const { interaction, reply } = await world.command('register', {
      profile: 'demo',
      prompt: 'tidy the README',
    });
    expect((await world.fake.waitForCall('POST', callbackOf(interaction))).body).toEqual({
      type: 5,
      data: { flags: MessageFlags.Ephemeral },
    });
    const job = world.bot.registry.list()[0]!;
    expect(reply).toMatch(new RegExp(`Registered ${job.id}`));
    expect(job).toMatchObject({ owner: `discord:${OWNER.id}`, profile: 'demo', prompt: 'tidy the README' });

    // The card in the channel, a thread started on it.
    const cardPost = await world.fake.waitForCall('POST', new RegExp(`^/channels/${CHANNEL}/messages$`));
    const cardId = String((cardPost.response as Json).id);
    const threadCall = await world.fake.waitForCall(
      'POST',
      new RegExp(`^/channels/${CHANNEL}/messages/${cardId}/threads$`),
    );
    expect((threadCall.body as Json).name).toBe(`${job.id} · demo`);
    const threadId = cardId;
    expect(String((cardPost.body as Json).content)).toContain(`Job ${job.id}`);

    // The agent reports through the real broker.
    const env = world.agentEnv(job);
    const started = await spawnHermes(['publish', '--event', 'started', '--detail', 'agent up'], { env });
    expect(started.code, started.stderr).toBe(0);
    await world.waitForMessage(
      threadId,
      (m) => String(m.content).includes('Started'),
      'started in the thread',
    );

    const ask = spawnAgent(
      [
        'ask',
        '--tool',
        'Bash',
        '--input',
        '{"command":"npm test"}',
        '--reason',
        'run the tests',
        '--timeout',
        '30',
      ],
      env,
    );
    const request = await world.waitForMessage(
      threadId,
      (m) => Object.keys(buttonsOf(m)).includes('Approve'),
      'the permission request with buttons',
    );
    expect(String(request.content)).toContain('npm test');
    expect(Object.keys(buttonsOf(request))).toEqual([
      'Approve',
      'Approve Bash(npm test:*) for this job',
      'Deny',
    ]);

    // An approver (by role) clicks Approve: a silent deferred update, then the message is edited.
    const click = world.click(String(request.id), buttonsOf(request).Approve!, APPROVER, [
      DISCORD.approverRoleId,
    ]);
    expect((await world.fake.waitForCall('POST', callbackOf(click))).body).toEqual({ type: 6 });
    const answered = await ask.done;
    expect(answered.code, answered.stderr).toBe(0);
    expect(JSON.parse(answered.stdout)).toMatchObject({
      decision: 'approve',
      decided_by: `discord:${APPROVER.id}`,
    });
    await waitFor(
      () =>
        (world.fake.state.messages.get(String(request.id))?.components as unknown[] | undefined)?.length ===
        0,
      {
        timeoutMs: 5000,
        message: 'the request message without buttons',
      },
    );
    const decided = world.fake.state.messages.get(String(request.id))!;
    expect(String(decided.content)).toMatch(new RegExp(`Approved.* by <@${APPROVER.id}>`));
    // Naming the approver did not ping them.
    expect(decided.mentions).toEqual([]);

    const done = await spawnHermes(['publish', '--event', 'completed', '--detail', 'README tidied'], { env });
    expect(done.code, done.stderr).toBe(0);
    const announcement = await world.waitForMessage(
      CHANNEL,
      (m) => String(m.content).includes('completed') && m.id !== cardId,
      'the announcement in the channel',
    );
    expect(String(announcement.content)).toContain(
      `https://discord.com/channels/${DISCORD.guildId}/${CHANNEL}/${cardId}`,
    );
    await world.waitForMessage(
      threadId,
      (m) => String(m.content).includes('Completed'),
      'completed in the thread',
    );
    await waitFor(() => String(world.fake.state.messages.get(cardId)?.content).includes('completed'), {
      timeoutMs: 5000,
      message: 'the card edited to completed',
    });
    expect(permissionRequestsOf(world.bot.db, job.id).map((r) => r.status)).toEqual(['approved']);

    // Mentions were off on every message and edit the bot sent.
    const sent = world.fake.calls.filter(
      (c) =>
        (c.method === 'POST' || c.method === 'PATCH') &&
        (/^\/channels\/\d+\/messages(\/\d+)?$/.test(c.path) || /^\/webhooks\//.test(c.path)),
    );
    expect(sent.length).toBeGreaterThan(6);
    for (const c of sent) {
      expect((c.body as Json).allowed_mentions, `${c.method} ${c.path}`).toEqual({
        parse: [],
        users: [],
        roles: [],
        replied_user: false,
      });
    }
  });

  it('never logs the bot token', async () => {
    await world.register();
    expect(world.logs.text()).toContain('Discord adapter running');
    expect(world.logs.text()).not.toContain(TOKEN);
  });

  it('agent text pings nobody and renders literally', async () => {
    const { job, threadId } = await world.register();
    world.event(job.id, 'started', '<@1180000000000000300> @everyone **look** [x](https://evil.example)');
    const m = await world.waitForMessage(threadId, (x) => String(x.content).includes('Started'), 'started');
    expect(m).toMatchObject({ mentions: [], mention_roles: [], mention_everyone: false });
    expect(String(m.content)).toContain(
      '\\<\\@1180000000000000300> \\@everyone \\*\\*look\\*\\* \\[x](https\\://evil.example)',
    );
  });
});
