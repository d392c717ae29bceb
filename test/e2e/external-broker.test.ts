/**
 * The demo journey driven from Slack, every part its own process as deployed: an external
 * Mosquitto, `hermes bot` with the Slack adapter on the Slack stand-in (Socket Mode), and
 * `hermes runner` on its own $HERMES_HOME paired through the CLI, agents in tmux on a private
 * socket. Only the stand-in (Slack itself) lives in the test process.
 *
 * /hermes register -> card -> thread (started, progress) -> permission buttons -> Approve click
 * -> agent unblocked -> completed in the thread and announced once in the channel -> session
 * terminated in agent-sessions.yaml; and Deny with a reason through the modal -> error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK } from '../fakes/slack/index.js';
import {
  botEvents,
  botJob,
  botRequests,
  botRunnerState,
  isContiguous,
  mirroredSessions,
} from '../helpers/hermes-state.js';
import { type HermesWorld, startWorld } from '../helpers/hermes-world.js';
import {
  announcements,
  blockTexts,
  buttonsOf,
  click,
  denyWithReason,
  permissionMessage,
  postedTwice,
  posts,
  slashRegister,
} from '../helpers/slack-chat.js';
import { hasMosquitto, hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const canRun = (hasTmux() && hasMosquitto()) || requireSystemDeps();
if (!canRun) console.warn('!! tmux or mosquitto missing: test/e2e/external-broker.test.ts is SKIPPED');

describe.skipIf(!canRun)('external Mosquitto + hermes bot (Slack) + hermes runner, driven from Slack', () => {
  let w: HermesWorld;

  beforeAll(async () => {
    w = await startWorld();
    await w.startBot();
    await w.startRunner();
    await waitFor(() => botRunnerState(w.botHome, w.runnerId) === 'online', {
      timeoutMs: 30_000,
      message: 'the bot to record the runner online',
    });
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  /** The job's thread messages, in order. */
  const thread = (ts: string) => posts(w.slack).filter((c) => c.args.thread_ts === ts);
  const endOf = async (jobId: string) => {
    await waitFor(() => announcements(w.slack, jobId).length > 0, {
      timeoutMs: 60_000,
      message: `the end of ${jobId} announced in the channel`,
    }).catch(w.explain(jobId));
    // The session goes at the next reconcile pass (linger 0), and the YAML mirror says so.
    await waitFor(
      () => mirroredSessions(w.runnerHome).some((s) => s.job_id === jobId && s.status === 'terminated'),
      { timeoutMs: 30_000, message: `agent-sessions.yaml to show ${jobId} terminated` },
    ).catch(w.explain(jobId));
    expect(w.hasTmuxSession(jobId)).toBe(false);
  };

  it('register -> thread -> permission -> Approve -> completed, announced once -> session terminated', {
    timeout: 180_000,
  }, async () => {
    const card = await slashRegister(w.slack, `register demo --runner ${w.runnerId} "tidy the README"`);
    const { jobId } = card;
    expect(botJob(w.botHome, jobId)).toMatchObject({
      owner: `slack:${SLACK.user.id}`,
      prompt: 'tidy the README',
      runner: w.runnerId,
    });

    const ask = await permissionMessage(w.slack, jobId, 60_000).catch(w.explain(jobId));
    expect(ask.threadTs).toBe(card.ts);
    expect(ask.texts.join('\n')).toContain('README.md');
    // Started came first, in the card's thread.
    expect(thread(card.ts).map((c) => String(c.args.text))[0]).toBe(`${jobId} started`);
    expect(w.hasTmuxSession(jobId)).toBe(true);

    await click(w.slack, ask, 'approve');
    // The click closed the request message: edited in place, its buttons gone.
    const closed = await w.slack.api.waitForCall('chat.update', (c) => c.args.ts === ask.ts, 30_000);
    expect(buttonsOf(closed.args.blocks)).toEqual([]);
    expect(blockTexts(closed.args.blocks).join('\n')).toMatch(/Approved/);

    await endOf(jobId);
    const [announced] = announcements(w.slack, jobId);
    expect(String(announced!.args.text)).toMatch(new RegExp(`^Job ${jobId} completed after`));
    expect(announced!.args.channel).toBe(SLACK.channelId);
    const texts = thread(card.ts).map((c) => String(c.args.text));
    expect(texts).toContain(`${jobId} completed`);
    // Progress went into one status message, edited in place.
    expect(texts.filter((t) => t.startsWith(`${jobId}: `) && !t.includes(' for Write'))).toHaveLength(1);

    expect(botJob(w.botHome, jobId)?.status).toBe('completed');
    const events = botEvents(w.botHome, jobId);
    expect(events.map((e) => e.event)).toEqual([
      'started',
      'progress',
      'progress',
      'permission_required',
      'progress',
      'completed',
    ]);
    expect(events.every((e) => e.verified)).toBe(true);
    expect(isContiguous(events.map((e) => e.seq))).toBe(true);
    expect(botRequests(w.botHome, jobId)).toMatchObject([
      { status: 'approved', decided_by: `slack:${SLACK.user.id}` },
    ]);
    expect(announcements(w.slack, jobId)).toHaveLength(1);
    expect(postedTwice(posts(w.slack))).toEqual([]);
  });

  it('Deny with a reason through the modal -> the job ends in error, announced once', {
    timeout: 180_000,
  }, async () => {
    const { jobId, ts } = await slashRegister(
      w.slack,
      `register demo --runner ${w.runnerId} rewrite everything`,
    );
    const ask = await permissionMessage(w.slack, jobId, 60_000).catch(w.explain(jobId));
    await denyWithReason(w.slack, ask, 'not on a Friday');

    const closed = await w.slack.api.waitForCall('chat.update', (c) => c.args.ts === ask.ts, 30_000);
    expect(buttonsOf(closed.args.blocks)).toEqual([]);
    expect(blockTexts(closed.args.blocks).join('\n')).toContain('not on a Friday');

    await endOf(jobId);
    const [announced] = announcements(w.slack, jobId);
    expect(String(announced!.args.text)).toMatch(new RegExp(`^Job ${jobId} ended with an error after`));
    // The announcement says why: the agent's words and who denied what, with their reason.
    const blocks = JSON.stringify(announced!.args.blocks);
    expect(blocks).toContain('exited with status 1: permission denied; stopping without changes');
    expect(blocks).toContain('Denied');
    expect(blocks).toContain('not on a Friday');
    expect(thread(ts).map((c) => String(c.args.text))).toContain(`${jobId} ended with an error`);
    expect(botJob(w.botHome, jobId)?.status).toBe('error');
    expect(botRequests(w.botHome, jobId)).toMatchObject([
      { status: 'denied', reason: 'not on a Friday', decided_by: `slack:${SLACK.user.id}` },
    ]);
    const last = botEvents(w.botHome, jobId).at(-1)!;
    expect(last).toMatchObject({
      event: 'error',
      detail: 'demo agent exited with status 1: permission denied; stopping without changes',
      verified: true,
    });
    expect(announcements(w.slack, jobId)).toHaveLength(1);
    expect(postedTwice(posts(w.slack))).toEqual([]);
  });
});
