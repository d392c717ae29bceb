/**
 * A conversation with an agent through Slack, every part its own process: `hermes bot` on the
 * Slack stand-in, `hermes runner` with tmux on a private socket, and the Claude stand-in
 * (test/fakes/claude) as the `claude` profile's program, wrapped by `hermes run` in the session.
 * register -> turn 1 ends -> idle ("waiting for you" on the card, the channel told once with the
 * final text, the status message the tokens the stream reported) -> a stranger's thread reply is
 * ignored (not sent, not audited) -> the owner's thread reply (a real `message` event) resumes
 * the session turn 1 printed -> /hermes done -> one
 * completion announcement with the summed cost. Also: the runner, finding a Codex stand-in with
 * `codex exec resume` on its PATH, gives the built-in codex profile follow-ups.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK } from '../fakes/slack/index.js';
import { codexOnPath } from '../helpers/fake-codex.js';
import { botEvents, botJob, botRunnerState } from '../helpers/hermes-state.js';
import { type HermesWorld, startWorld } from '../helpers/hermes-world.js';
import { announcements, blockTexts, posts, slashRegister } from '../helpers/slack-chat.js';
import { hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const FAKE_CLAUDE = join(import.meta.dirname, '../fakes/claude/fake-claude.mjs');
const STREAM = ['-p', '--output-format', 'stream-json', '--verbose'];
const STRANGER = { id: 'U0STRANGER1', username: 'mallory' };

const canRun = hasTmux() || requireSystemDeps();
if (!canRun) console.warn('!! tmux missing: test/e2e/conversation-slack.test.ts is SKIPPED');

interface FakeCall {
  argv: string[];
  session_id: string;
  resumed: boolean;
}

describe.skipIf(!canRun)('a conversation in a Slack thread, with a real runner and tmux', () => {
  let w: HermesWorld;
  let fakeDir = '';
  // A Codex with `codex exec resume` on the runner's PATH: the runner's built-in codex takes follow-ups.
  const codex = codexOnPath();
  const calls = (): FakeCall[] => {
    try {
      return readFileSync(join(fakeDir, 'calls.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as FakeCall);
    } catch {
      return [];
    }
  };

  beforeAll(async () => {
    w = await startWorld({
      // Only the stand-in's user may register (and so follow up); the approvers list is theirs too.
      botEnv: { HERMES_SLACK_ALLOWED_USERS: SLACK.user.id },
      runnerEnv: { PATH: `${codex.bin}:${process.env.PATH ?? ''}` },
      profiles: (runnerHome) => {
        fakeDir = join(runnerHome, 'fake-claude');
        mkdirSync(fakeDir);
        return {
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
        };
      },
    });
    await w.startBot();
    await w.startRunner();
    await waitFor(() => botRunnerState(w.botHome, w.runnerId) === 'online', {
      timeoutMs: 30_000,
      message: 'the bot to record the runner online',
    });
  }, 180_000);
  afterAll(async () => {
    await w?.close();
    codex.cleanup();
  });

  it('the runner asked the codex on its PATH and gave the built-in codex profile follow-ups', () => {
    const line = w
      .runner!.output()
      .split('\n')
      .find((l) => l.includes('"codex profile follow-ups"'));
    expect(line && JSON.parse(line)).toMatchObject({ followup: 'resume' });
  });

  it('idle after turn 1, a thread reply resumes the session, /hermes done completes with the cost', {
    timeout: 180_000,
  }, async () => {
    const { jobId, ts } = await slashRegister(
      w.slack,
      `register claude --runner ${w.runnerId} "fix the flaky test"`,
    );
    const status = () => botJob(w.botHome, jobId)?.status;
    await waitFor(() => status() === 'idle', { timeoutMs: 60_000, message: 'idle after turn 1' }).catch(
      w.explain(jobId),
    );
    const [first] = calls();
    expect(first).toMatchObject({ resumed: false, argv: [...STREAM, '--', 'fix the flaky test'] });

    // The channel is told once that the turn ended, with the agent's final text; the card waits.
    const toldIdle = () =>
      posts(w.slack).filter(
        (c) =>
          c.args.thread_ts === undefined &&
          String(c.args.text) === `Job ${jobId} finished turn 1, waiting for you`,
      );
    await waitFor(() => toldIdle().length === 1, { timeoutMs: 30_000, message: 'the idle notice' });
    expect(blockTexts(toldIdle()[0]!.args.blocks).join('\n')).toContain('Done: fix the flaky test');
    const cardSays = (words: string) =>
      w.slack.api.calls.some(
        (c) => c.method === 'chat.update' && c.args.ts === ts && String(c.args.text).endsWith(words),
      );
    await waitFor(() => cardSays('waiting for you'), { timeoutMs: 30_000, message: 'the card idle' });
    // The thread's status message showed the tokens the stand-in's stream reported during the turn.
    const threadTexts = () =>
      w.slack.api.calls
        .filter(
          (c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.args.thread_ts === ts,
        )
        .flatMap((c) => blockTexts(c.args.blocks));
    expect(threadTexts()).toContain('Tokens so far: 60 in / 200 out · cache 0 read, 2000 written');

    // A person who may not register talks in the thread: nothing reaches the agent, no audit line.
    await w.slack.socket.send(
      'events_api',
      w.slack.payloads.threadReply({ text: 'rename everything', threadTs: ts, user: STRANGER }),
      { timeoutMs: 30_000 },
    );
    // The owner's plain reply in the thread starts turn 2 with the session turn 1 printed.
    const reply = "now also fix the lint, don't rename";
    await w.slack.socket.send('events_api', w.slack.payloads.threadReply({ text: reply, threadTs: ts }), {
      timeoutMs: 30_000,
    });
    await waitFor(() => calls().length >= 2, { timeoutMs: 60_000, message: 'turn 2 started' }).catch(
      w.explain(jobId),
    );
    expect(calls()[1]).toEqual({
      argv: [...STREAM, '--resume', first!.session_id, '--', reply],
      cwd: expect.any(String),
      session_id: first!.session_id,
      resumed: true,
    });
    // The owner was told privately that it went to the agent.
    const answered = await w.slack.api.waitForCall(
      'chat.postEphemeral',
      (c) => c.args.user === SLACK.user.id && c.args.thread_ts === ts,
      30_000,
    );
    expect(String(answered.args.text)).not.toMatch(/^Not sent/);
    await waitFor(
      () =>
        status() === 'idle' &&
        botEvents(w.botHome, jobId).some(
          (e) => e.event === 'progress' && e.detail?.startsWith('Turn 2 finished'),
        ),
      { timeoutMs: 60_000, message: 'idle after turn 2' },
    ).catch(w.explain(jobId));

    await w.slack.socket.send('slash_commands', w.slack.payloads.slashCommand({ text: `done ${jobId}` }), {
      timeoutMs: 30_000,
    });
    await waitFor(() => announcements(w.slack, jobId).length > 0, {
      timeoutMs: 60_000,
      message: `the end of ${jobId} announced`,
    }).catch(w.explain(jobId));
    expect(status()).toBe('completed');
    const [announced, ...more] = announcements(w.slack, jobId);
    expect(more).toEqual([]);
    const texts = blockTexts(announced!.args.blocks).join('\n');
    // Two turns of the stand-in at $0.25 and 100 input / 500 output tokens each.
    expect(texts).toContain('Cost: $0.5000 · 200 in / 1000 out');
    expect(texts).toContain('2 turns');
    expect(texts).toContain(`ended by slack:${SLACK.user.id}`);

    // The stranger: never resumed anything, never answered, never audited.
    expect(calls()).toHaveLength(2);
    expect(
      w.slack.api.calls.filter((c) => c.method === 'chat.postEphemeral' && c.args.user === STRANGER.id),
    ).toEqual([]);
    const audit = readFileSync(join(w.botHome, 'audit', 'chat.ndjson'), 'utf8');
    expect(audit).toContain(`"actor":"slack:${SLACK.user.id}"`);
    expect(audit).not.toContain(STRANGER.id);
  });
});
