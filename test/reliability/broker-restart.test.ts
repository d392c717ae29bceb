/**
 * The broker (Mosquitto with persistence) restarted in the middle of jobs, with `hermes bot`
 * (Slack stand-in), `hermes runner` and the agents in tmux as separate processes: nothing is lost.
 * Events the agent hands over while the broker is away wait in the runner's outbox, the bot's
 * persistent session gets what was queued for it, a decision clicked during the outage reaches
 * the waiting agent, and every event of the job reaches the bot exactly once.
 *
 * The SIGKILL case kills the broker once the bot holds every event sent so far: what Mosquitto
 * had not saved at that moment (it saves after each change, but not synchronously) is exactly
 * what a crash may lose, and is not what this test is about.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK } from '../fakes/slack/index.js';
import { chunkSent, openGate, streamProfile } from '../helpers/agent-scripts.js';
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
  click,
  permissionMessage,
  postedTwice,
  posts,
  slashRegister,
} from '../helpers/slack-chat.js';
import { hasMosquitto, hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const SOAK = process.env.HERMES_SOAK === '1';
const CHUNK = SOAK ? 30 : 6;
/** Soak: more outages in one job, alternating halt/start, restart while streaming, and kill. */
const OUTAGES = SOAK ? 9 : 3;

const canRun = (hasTmux() && hasMosquitto()) || requireSystemDeps();
if (!canRun) console.warn('!! tmux or mosquitto missing: test/reliability/broker-restart.test.ts is SKIPPED');

type Outage = 'halt' | 'restart' | 'kill';

describe.skipIf(!canRun)('the broker restarted mid-job (Mosquitto with persistence)', () => {
  let w: HermesWorld;

  beforeAll(async () => {
    w = await startWorld({
      profiles: (home) => ({ stream: streamProfile(home) }),
      mosquitto: { persistence: true, extraConfig: ['max_queued_messages 0'] },
    });
    await w.startBot();
    await w.startRunner();
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  const progressCount = (jobId: string) =>
    botEvents(w.botHome, jobId).filter((e) => e.event === 'progress').length;
  const waitForProgress = (jobId: string, n: number) =>
    waitFor(() => progressCount(jobId) >= n, {
      timeoutMs: 90_000,
      message: `${n} progress events of ${jobId} in the bot's database`,
    });
  const expectEachEventOnce = (jobId: string, expected: number) => {
    const seqs = botEvents(w.botHome, jobId).map((e) => e.seq);
    expect(seqs).toHaveLength(expected);
    expect(isContiguous(seqs)).toBe(true);
    const accepted = auditLines(w.botHome).filter((l) => l.job_id === jobId && l.verdict === 'accepted');
    expect(accepted.map((l) => l.seq!).sort((a, b) => a - b)).toEqual(seqs);
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

  /**
   * One outage while the agent has chunk k+1 to send. halt / kill: the broker is down for the
   * whole chunk (it waits in the runner's outbox). restart: the chunk streams while the broker
   * goes down and comes back.
   */
  async function outage(jobId: string, k: number, how: Outage): Promise<void> {
    await waitForProgress(jobId, k * CHUNK);
    if (how === 'kill') {
      await waitFor(() => undeliveredEvents(w.botHome, jobId) === 0, {
        timeoutMs: 30_000,
        message: 'the bot to be done with every event so far',
      });
      await w.broker.kill();
    } else if (how === 'halt') {
      await w.broker.halt();
    }
    openGate(w.runnerHome, jobId, String(k + 1));
    if (how === 'restart') {
      await w.broker.restart();
    } else {
      await waitFor(() => chunkSent(w.runnerHome, jobId, k + 1), {
        timeoutMs: 60_000,
        message: `the agent to hand over chunk ${k + 1} with the broker down`,
      });
      await w.broker.start();
    }
  }

  const plan: Outage[] = Array.from(
    { length: OUTAGES },
    (_, i) => (['halt', 'restart', 'kill'] as const)[i % 3]!,
  );
  it(`${plan.join(', ')} while the agent streams: every event reaches the bot once, the job completes`, {
    timeout: SOAK ? 900_000 : 240_000,
  }, async () => {
    const chunks = OUTAGES + 1;
    const { jobId } = await slashRegister(
      w.slack,
      `register stream --runner ${w.runnerId} ${CHUNK}x${chunks}`,
    );
    for (const [i, how] of plan.entries()) await outage(jobId, i + 1, how);
    await waitForProgress(jobId, CHUNK * chunks);
    openGate(w.runnerHome, jobId, 'end');
    await waitForEnd(jobId);

    expect(botJob(w.botHome, jobId)?.status).toBe('completed');
    expectEachEventOnce(jobId, CHUNK * chunks + 2);
    expect(botEvents(w.botHome, jobId).every((e) => e.verified)).toBe(true);
    expect(announcements(w.slack, jobId)).toHaveLength(1);
    expect(postedTwice(posts(w.slack))).toEqual([]);
  });

  it('a decision clicked while the broker is down reaches the waiting agent when it is back', {
    timeout: 240_000,
  }, async () => {
    const { jobId } = await slashRegister(
      w.slack,
      `register demo --runner ${w.runnerId} wait for the broker`,
    );
    const ask = await permissionMessage(w.slack, jobId, 60_000).catch(w.explain(jobId));
    await w.broker.halt();
    await click(w.slack, ask, 'approve');
    // Recorded by the bot at once; published once the broker is back.
    await waitFor(() => botRequests(w.botHome, jobId)[0]?.status === 'approved', {
      timeoutMs: 30_000,
      message: 'the bot to record the approval',
    });
    expect(botRequests(w.botHome, jobId)[0]?.published_at).toBeNull();
    await w.broker.start();
    await waitForEnd(jobId);

    expect(botJob(w.botHome, jobId)?.status).toBe('completed');
    expect(botRequests(w.botHome, jobId)).toMatchObject([
      { status: 'approved', decided_by: `slack:${SLACK.user.id}` },
    ]);
    expectEachEventOnce(jobId, 6);
    expect(announcements(w.slack, jobId)).toHaveLength(1);
    expect(postedTwice(posts(w.slack))).toEqual([]);
  });
});
