/**
 * A conversation in a Discord thread with a real runner: the bot in process with the Discord
 * adapter on the stand-in (Message Content intent on), `hermes runner` as a child process paired
 * with it over the broker, tmux on a private socket, and the Claude stand-in as the `claude`
 * profile's program under `hermes run`. Turn 1 ends -> idle; a stranger's message in the thread
 * (a MESSAGE_CREATE dispatch) reaches nobody and is not audited; the owner's starts turn 2 with
 * `--resume <the session turn 1 printed> -- <text>`; /hermes done -> one announcement with the cost.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runHermes, tempHome } from '../../helpers/cli.js';
import { type HermesProcess, startHermes } from '../../helpers/processes.js';
import { hasTmux, requireSystemDeps } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';
import { CHANNEL, DiscordWorld, OWNER, STRANGER } from './support.js';

const FAKE_CLAUDE = join(import.meta.dirname, '../../fakes/claude/fake-claude.mjs');
const STREAM = ['-p', '--output-format', 'stream-json', '--verbose'];

const canRun = hasTmux() || requireSystemDeps();
if (!canRun) console.warn('!! tmux missing: test/integration/discord/conversation.test.ts is SKIPPED');

type Json = Record<string, unknown>;
interface FakeCall {
  argv: string[];
  session_id: string;
  resumed: boolean;
}

describe.skipIf(!canRun)('a conversation in a Discord thread, with a real runner and tmux', () => {
  let world: DiscordWorld;
  let runner: HermesProcess;
  const runnerId = `r-${randomBytes(3).toString('hex')}`;
  const socket = `hermes-dc-${randomBytes(5).toString('hex')}`;
  const r = tempHome('hermes-dc-runner-');
  const fakeDir = join(r.home, 'fake-claude');
  const calls = (): FakeCall[] =>
    existsSync(join(fakeDir, 'calls.jsonl'))
      ? readFileSync(join(fakeDir, 'calls.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FakeCall)
      : [];

  beforeAll(async () => {
    mkdirSync(fakeDir);
    mkdirSync(join(r.home, 'work'));
    writeFileSync(
      join(r.home, 'config.yaml'),
      stringify({
        runner: {
          workdir: join(r.home, 'work'),
          profiles: {
            claude: {
              argv: [process.execPath, FAKE_CLAUDE, ...STREAM, '--', '{prompt}'],
              env: { FAKE_CLAUDE_DIR: fakeDir, HERMES_FOLLOWUP_POLL_MS: '50' },
              output: 'claude',
              followup: 'resume',
              resume_argv: [
                process.execPath,
                FAKE_CLAUDE,
                ...STREAM,
                '--resume',
                '{session_id}',
                '--',
                '{prompt}',
              ],
            },
          },
        },
      }),
    );
    const init = await runHermes(['runner', 'init', '--id', runnerId, '--json'], {
      env: { HERMES_HOME: r.home },
    });
    if (init.code !== 0) throw new Error(`runner init failed: ${init.stderr}`);
    const { key } = JSON.parse(init.stdout) as { key: string };
    world = await DiscordWorld.start({
      env: { HERMES_DISCORD_MESSAGE_CONTENT: 'true', HERMES_LOG_LEVEL: 'info' },
      runners: { [runnerId]: key },
    });
    runner = startHermes(['runner', '--id', runnerId, '--linger', '0'], {
      HERMES_HOME: r.home,
      HOME: r.home,
      HERMES_MQTT_URL: world.broker.url,
      HERMES_TMUX_SOCKET: socket,
      HERMES_LOG_LEVEL: 'info',
    });
    await runner.waitForOutput('"runner online"', 60_000);
    await waitFor(() => world.bot.runners.list().some((x) => x.id === runnerId && x.state === 'online'), {
      timeoutMs: 30_000,
      message: `the bot to see runner ${runnerId} online`,
    });
  }, 120_000);
  afterAll(async () => {
    await runner?.stop('SIGKILL');
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // no tmux server left
    }
    await world?.close();
    r.cleanup();
  });

  it('idle after turn 1, a thread message resumes the session, /hermes done completes with the cost', {
    timeout: 120_000,
  }, async () => {
    const { reply } = await world.command('register', {
      profile: 'claude',
      prompt: 'fix the flaky test',
      runner: runnerId,
    });
    const job = world.bot.registry.list().find((j) => j.profile === 'claude');
    if (!job) throw new Error(`registration failed: ${reply}`);
    const threadCall = await world.fake.waitForCall(
      'POST',
      new RegExp(`^/channels/${CHANNEL}/messages/\\d+/threads$`),
    );
    const threadId = String((threadCall.response as Json).id);
    const status = () => world.bot.registry.require(job.id).status;
    const explain = (e: unknown): never => {
      throw new Error(`${(e as Error).message}\nrunner log:\n${runner.output().slice(-3000)}`, { cause: e });
    };
    await waitFor(() => status() === 'idle', { timeoutMs: 60_000, message: 'idle after turn 1' }).catch(
      explain,
    );
    const [first] = calls();
    expect(first).toMatchObject({ resumed: false, argv: [...STREAM, '--', 'fix the flaky test'] });
    await world.waitForMessage(
      CHANNEL,
      (m) =>
        String(m.content).includes(`Job ${job.id} finished turn 1`) &&
        String(m.content).includes('Done: fix the flaky test'),
      'the idle notice in the channel',
    );
    await waitFor(
      () => String(world.fake.state.messages.get(threadId)?.content).includes('waiting for you'),
      {
        timeoutMs: 10_000,
        message: 'the card waiting for you',
      },
    );

    // A stranger talks in the thread: not sent to the agent, not answered, not audited.
    world.fake.sendUserMessage({ channelId: threadId, content: 'rename everything', user: STRANGER });
    const text = "now also fix the lint, don't rename";
    const mine = world.fake.sendUserMessage({ channelId: threadId, content: text, user: OWNER });
    await waitFor(() => calls().length >= 2, { timeoutMs: 60_000, message: 'turn 2 started' }).catch(explain);
    expect(calls()[1]).toEqual({
      argv: [...STREAM, '--resume', first!.session_id, '--', text],
      cwd: expect.any(String),
      session_id: first!.session_id,
      resumed: true,
    });
    // The owner's answer is a reply to their message that pings nobody.
    const answer = await world.fake.waitForCall(
      'POST',
      new RegExp(`^/channels/${threadId}/messages$`),
      (c) =>
        (c.body as { message_reference?: { message_id?: string } }).message_reference?.message_id === mine.id,
    );
    expect((answer.body as Json).allowed_mentions).toEqual({ parse: [], replied_user: false });
    await waitFor(() => status() === 'idle' && calls().length === 2, {
      timeoutMs: 60_000,
      message: 'idle after turn 2',
    }).catch(explain);

    await world.command('done', { job: job.id });
    const announcement = await world.waitForMessage(
      CHANNEL,
      (m) => String(m.content).includes(`Job ${job.id} completed`),
      'the completion announcement',
    );
    expect(String(announcement.content)).toContain('$0.5000 · 200 in / 1000 out');
    expect(String(announcement.content)).toContain('2 turns');
    expect(
      world.messagesIn(CHANNEL).filter((m) => String(m.content).includes(`Job ${job.id} completed`)),
    ).toHaveLength(1);
    expect(status()).toBe('completed');

    expect(calls()).toHaveLength(2);
    const repliesToStranger = world.fake.calls.filter(
      (c) =>
        c.method === 'POST' &&
        c.path === `/channels/${threadId}/messages` &&
        (c.body as Json).message_reference !== undefined &&
        (c.body as { message_reference: { message_id: string } }).message_reference.message_id !== mine.id,
    );
    expect(repliesToStranger).toEqual([]);
    const audit = join(world.home, 'audit', 'chat.ndjson');
    expect(existsSync(audit) ? readFileSync(audit, 'utf8') : '').not.toContain(STRANGER.id);
  });
});
