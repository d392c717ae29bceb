/**
 * `hermes bot` killed with SIGKILL in the middle of jobs and started again, with the Slack
 * stand-in, a real Mosquitto and a separate `hermes runner`: no event is lost (each one accepted
 * exactly once in the bot's database and audit log), no notification is posted twice, and a
 * permission request asked before the crash is still answered by its old button.
 *
 * Kills happen once the bot has recorded the Slack deliveries of what it received (or while the
 * agent streams progress, which only edits one status message): between Slack's answer to a post
 * and the bot recording it lies an unavoidable at-least-once window of a few milliseconds, which
 * these tests do not aim at.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK } from '../fakes/slack/index.js';
import { openGate, streamProfile } from '../helpers/agent-scripts.js';
import { spawnHermes } from '../helpers/cli.js';
import {
  auditLines,
  botEvents,
  botJob,
  botRequests,
  isContiguous,
  mirroredSessions,
  undeliveredEvents,
} from '../helpers/hermes-state.js';
import { type HermesWorld, startWorld } from '../helpers/hermes-world.js';
import {
  announcements,
  buttonsOf,
  click,
  permissionMessage,
  permissionMessages,
  postedTwice,
  posts,
  slashRegister,
} from '../helpers/slack-chat.js';
import { hasMosquitto, hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const SOAK = process.env.HERMES_SOAK === '1';
/** Stream job: chunks of progress events, the bot killed once per chunk after the first. */
const CHUNK = SOAK ? 25 : 8;
const CHUNKS = SOAK ? 11 : 4;

const canRun = (hasTmux() && hasMosquitto()) || requireSystemDeps();
if (!canRun) console.warn('!! tmux or mosquitto missing: test/reliability/bot-crash.test.ts is SKIPPED');

describe.skipIf(!canRun)('hermes bot killed with SIGKILL mid-job and restarted', () => {
  let w: HermesWorld;

  beforeAll(async () => {
    // Persistent sessions queue what arrives while the bot is away; no cap on the queue here.
    w = await startWorld({
      profiles: (home) => ({ stream: streamProfile(home) }),
      mosquitto: { extraConfig: ['max_queued_messages 0'] },
    });
    await w.startBot();
    await w.startRunner();
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  const audited = (jobId: string) => {
    const counts = new Map<number, number>();
    for (const l of auditLines(w.botHome))
      if (l.job_id === jobId && l.verdict === 'accepted') counts.set(l.seq!, (counts.get(l.seq!) ?? 0) + 1);
    return counts;
  };
  const expectEachEventOnce = (jobId: string, expected: number) => {
    const seqs = botEvents(w.botHome, jobId).map((e) => e.seq);
    expect(seqs).toHaveLength(expected);
    expect(isContiguous(seqs)).toBe(true);
    const counts = audited(jobId);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(seqs);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  };
  const waitForEnd = async (jobId: string) => {
    await waitFor(() => announcements(w.slack, jobId).length > 0, {
      timeoutMs: 90_000,
      message: `the end of ${jobId} announced in the channel`,
    }).catch(w.explain(jobId));
    await waitFor(
      () => mirroredSessions(w.runnerHome).some((s) => s.job_id === jobId && s.status === 'terminated'),
      { timeoutMs: 30_000, message: `agent-sessions.yaml to show ${jobId} terminated` },
    ).catch(w.explain(jobId));
  };

  it('while an approval is pending, with events published meanwhile: nothing lost, the old button still answers', {
    timeout: 240_000,
  }, async () => {
    const { jobId } = await slashRegister(w.slack, `register demo --runner ${w.runnerId} survive a crash`);
    const ask = await permissionMessage(w.slack, jobId, 60_000).catch(w.explain(jobId));
    await waitFor(() => undeliveredEvents(w.botHome, jobId) === 0, {
      timeoutMs: 30_000,
      message: 'the bot to record the Slack delivery of every event so far',
    });
    const crashed = w.bot!;
    await w.killBot();
    expect(crashed.child.signalCode).toBe('SIGKILL');

    // The agent keeps reporting while the bot is gone (through the runner's relay, as it would).
    for (let i = 1; i <= 3; i++) {
      const r = await spawnHermes(
        ['publish', '--event', 'progress', '--detail', `while the bot was down ${i}`],
        {
          env: w.agentEnv(jobId),
          timeoutMs: 60_000,
        },
      );
      expect(r.code, r.stderr).toBe(0);
    }
    await w.startBot();
    await waitFor(
      () =>
        botEvents(w.botHome, jobId).filter((e) => e.detail?.startsWith('while the bot was down')).length ===
        3,
      { timeoutMs: 30_000, message: 'the events published during the outage to reach the restarted bot' },
    );

    // The button the killed bot posted still works, and the waiting agent goes on.
    await click(w.slack, ask, 'approve');
    await waitForEnd(jobId);

    expect(botJob(w.botHome, jobId)?.status).toBe('completed');
    expect(botRequests(w.botHome, jobId)).toMatchObject([
      { status: 'approved', decided_by: `slack:${SLACK.user.id}` },
    ]);
    const closed = w.slack.api.calls.filter((c) => c.method === 'chat.update' && c.args.ts === ask.ts);
    expect(closed.length).toBeGreaterThan(0);
    expect(buttonsOf(closed.at(-1)!.args.blocks)).toEqual([]);
    // started, 2 progress, permission, 3 progress while down, 1 progress after approval, completed
    expect(botEvents(w.botHome, jobId).map((e) => e.event)).toEqual([
      'started',
      'progress',
      'progress',
      'permission_required',
      'progress',
      'progress',
      'progress',
      'progress',
      'completed',
    ]);
    expectEachEventOnce(jobId, 9);
    expect(announcements(w.slack, jobId)).toHaveLength(1);
    expect(permissionMessages(w.slack).filter((m) => m.jobId === jobId)).toHaveLength(1);
    expect(postedTwice(posts(w.slack))).toEqual([]);
  });

  it('dying while its Slack adapter starts (Slack down): the events the broker handed it are not lost', {
    timeout: 240_000,
  }, async () => {
    const { jobId } = await slashRegister(w.slack, `register demo --runner ${w.runnerId} slack goes down`);
    const ask = await permissionMessage(w.slack, jobId, 60_000).catch(w.explain(jobId));
    await waitFor(() => undeliveredEvents(w.botHome, jobId) === 0, {
      timeoutMs: 30_000,
      message: 'the bot to record the Slack delivery of every event so far',
    });
    await w.killBot();
    for (let i = 1; i <= 3; i++) {
      const r = await spawnHermes(['publish', '--event', 'progress', '--detail', `queued for the bot ${i}`], {
        env: w.agentEnv(jobId),
        timeoutMs: 60_000,
      });
      expect(r.code, r.stderr).toBe(0);
    }
    // Slack answers 500 to every auth.test attempt of the next start: the bot gives up and exits,
    // after its broker session has already handed it what was queued.
    for (let i = 0; i < 3; i++) w.slack.api.failNext('auth.test', { status: 500 });
    const failed = w.spawnBot();
    const { code } = await failed.exited;
    expect(code).not.toBe(0);
    expect(failed.output()).toContain('"connected to MQTT broker"');

    await w.startBot();
    await waitFor(
      () =>
        botEvents(w.botHome, jobId).filter((e) => e.detail?.startsWith('queued for the bot')).length === 3,
      { timeoutMs: 30_000, message: 'the events queued while the bot was away to reach it' },
    ).catch(w.explain(jobId));
    await click(w.slack, ask, 'approve');
    await waitForEnd(jobId);
    expectEachEventOnce(jobId, 9);
    expect(announcements(w.slack, jobId)).toHaveLength(1);
  });

  it(`killed ${CHUNKS - 1} times while the agent streams ${CHUNK * CHUNKS} events: each accepted once, one announcement`, {
    timeout: SOAK ? 1_200_000 : 240_000,
  }, async () => {
    const { jobId } = await slashRegister(
      w.slack,
      `register stream --runner ${w.runnerId} ${CHUNK}x${CHUNKS}`,
    );
    const progressCount = () => botEvents(w.botHome, jobId).filter((e) => e.event === 'progress').length;
    for (let k = 1; k < CHUNKS; k++) {
      // The bot has started receiving chunk k: kill it, and let chunk k+1 go out while it is dead.
      await waitFor(() => progressCount() > (k - 1) * CHUNK, {
        timeoutMs: 60_000,
        message: `the bot to receive chunk ${k} of ${jobId}`,
      });
      await w.killBot();
      openGate(w.runnerHome, jobId, String(k + 1));
      await w.startBot();
    }
    await waitFor(() => progressCount() === CHUNK * CHUNKS, {
      timeoutMs: 120_000,
      message: `all ${CHUNK * CHUNKS} progress events of ${jobId} in the bot's database`,
    });
    openGate(w.runnerHome, jobId, 'end');
    await waitForEnd(jobId);

    expect(w.history.bots.filter((p) => p.child.signalCode === 'SIGKILL').length).toBeGreaterThanOrEqual(
      CHUNKS - 1,
    );
    expect(botJob(w.botHome, jobId)?.status).toBe('completed');
    expectEachEventOnce(jobId, CHUNK * CHUNKS + 2);
    expect(announcements(w.slack, jobId)).toHaveLength(1);
    expect(postedTwice(posts(w.slack))).toEqual([]);
  });
});
