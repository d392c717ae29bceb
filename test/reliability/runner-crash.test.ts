/**
 * `hermes runner` killed with SIGKILL in the middle of jobs and started again (separate processes:
 * Mosquitto, `hermes bot` with the Slack stand-in, the runner, agents in tmux on a private socket):
 * the tmux sessions keep running and the restarted runner re-adopts them (its reconcile passes run
 * and stop nothing that is alive, it follows the jobs to their end and cleans up), and the jobs
 * complete with every event accepted once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGate, streamProfile } from '../helpers/agent-scripts.js';
import {
  botEvents,
  botJob,
  botRunnerState,
  isContiguous,
  mirroredSessions,
  runnerSession,
} from '../helpers/hermes-state.js';
import { type HermesWorld, startWorld } from '../helpers/hermes-world.js';
import type { HermesProcess } from '../helpers/processes.js';
import {
  announcements,
  blockTexts,
  click,
  permissionMessage,
  postedTwice,
  posts,
  slashRegister,
} from '../helpers/slack-chat.js';
import { hasMosquitto, hasTmux, requireSystemDeps } from '../helpers/system.js';
import { type TmuxStall, tmuxStall } from '../helpers/tmux-stall.js';
import { waitFor } from '../helpers/wait.js';

const SOAK = process.env.HERMES_SOAK === '1';
const CHUNK = SOAK ? 20 : 6;
const CHUNKS = SOAK ? 8 : 3;

const canRun = (hasTmux() && hasMosquitto()) || requireSystemDeps();
if (!canRun) console.warn('!! tmux or mosquitto missing: test/reliability/runner-crash.test.ts is SKIPPED');

describe.skipIf(!canRun)('hermes runner killed with SIGKILL mid-job and restarted', () => {
  let w: HermesWorld;
  let stall: TmuxStall;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'hermes-runner-crash-'));
    stall = tmuxStall(scratch);
    w = await startWorld({
      profiles: (home) => ({ stream: streamProfile(home) }),
      runnerEnv: { PATH: `${stall.binDir}:${process.env.PATH}` },
    });
    await w.startBot();
    await w.startRunner();
  }, 180_000);
  afterAll(async () => {
    stall?.release();
    await w?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const passesDone = (p: HermesProcess) => p.output().split('"msg":"reconcile pass done"').length - 1;
  /** Runner log lines saying the job's session was marked stopped (its agent gone). */
  const stoppedLines = (jobId: string) =>
    [...w.history.runners]
      .flatMap((p) => p.output().split('\n'))
      .filter((l) => l.includes('"session stopped"') && l.includes(jobId));
  /** SIGKILL, then wait for the bot to see the last will. */
  const crashRunner = async () => {
    await w.killRunner();
    await waitFor(() => botRunnerState(w.botHome, w.runnerId) === 'offline', {
      timeoutMs: 30_000,
      message: "the bot to receive the killed runner's last will (offline)",
    });
  };
  const restartRunner = async () => {
    const p = await w.startRunner();
    await waitFor(() => botRunnerState(w.botHome, w.runnerId) === 'online', {
      timeoutMs: 30_000,
      message: 'the bot to see the restarted runner online',
    });
    return p;
  };
  const waitForEnd = async (jobId: string) => {
    await waitFor(() => announcements(w.slack, jobId).length > 0, {
      timeoutMs: 90_000,
      message: `the end of ${jobId} announced in the channel`,
    }).catch(w.explain(jobId));
    await waitFor(
      () => mirroredSessions(w.runnerHome).some((s) => s.job_id === jobId && s.status === 'terminated'),
      { timeoutMs: 30_000, message: `the restarted runner to terminate the session of ${jobId}` },
    ).catch(w.explain(jobId));
    expect(w.hasTmuxSession(jobId)).toBe(false);
  };

  it('killed in the middle of a reconcile pass: the live session is re-adopted and completes, one that died meanwhile is reported', {
    timeout: 240_000,
  }, async () => {
    const { jobId } = await slashRegister(w.slack, `register demo --runner ${w.runnerId} outlive the runner`);
    const { jobId: lost } = await slashRegister(
      w.slack,
      `register demo --runner ${w.runnerId} die meanwhile`,
    );
    const ask = await permissionMessage(w.slack, jobId, 60_000).catch(w.explain(jobId));
    await permissionMessage(w.slack, lost, 60_000).catch(w.explain(lost));
    expect(runnerSession(w.runnerHome, jobId)?.status).toBe('running');

    // Killed holding the reconcile lock: the state a crash mid-pass leaves behind.
    await stall.hold();
    await crashRunner();
    stall.release();
    expect(w.hasTmuxSession(jobId)).toBe(true);
    // While no runner watches, the other job's session is killed by hand.
    w.killTmuxSession(lost);

    const runner = await restartRunner();
    // Passes of the new runner run: the dead session is found and reported, the live one left alone.
    await waitFor(() => botJob(w.botHome, lost)?.status === 'error', {
      timeoutMs: 30_000,
      message: `the restarted runner to report the vanished session of ${lost}`,
    }).catch(w.explain(lost));
    expect(botEvents(w.botHome, lost).at(-1)).toMatchObject({ event: 'error', verified: true });
    expect(botEvents(w.botHome, lost).at(-1)?.detail).toMatch(/session vanished/);
    const passes = passesDone(runner);
    await waitFor(() => passesDone(runner) >= passes + 2, {
      timeoutMs: 30_000,
      message: 'two more reconcile passes of the restarted runner',
    }).catch(w.explain(jobId));
    expect(runner.output()).not.toContain('reconcile pass skipped');
    expect(runnerSession(w.runnerHome, jobId)?.status).toBe('running');
    expect(w.hasTmuxSession(jobId)).toBe(true);
    expect(stoppedLines(jobId)).toEqual([]);
    expect(botJob(w.botHome, jobId)?.status).toBe('waiting');

    // The restarted runner knows the session: peek reaches the agent's pane.
    await w.slack.socket.send('slash_commands', w.slack.payloads.slashCommand({ text: `peek ${jobId}` }), {
      timeoutMs: 30_000,
    });
    const peeked = await w.slack.api.waitForCall(
      'chat.postMessage',
      (c) => String(c.args.text) === `${jobId}: last 20 lines`,
      30_000,
    );
    expect(blockTexts(peeked.args.blocks).join('\n')).toContain('asking for permission to write README.md');

    // The agent's `hermes ask` waited through the restart; the old button unblocks it.
    await click(w.slack, ask, 'approve');
    await waitForEnd(jobId);
    expect(botJob(w.botHome, jobId)?.status).toBe('completed');
    const events = botEvents(w.botHome, jobId);
    expect(events.map((e) => e.event)).not.toContain('error');
    expect(isContiguous(events.map((e) => e.seq))).toBe(true);
    for (const id of [jobId, lost]) expect(announcements(w.slack, id)).toHaveLength(1);
    expect(String(announcements(w.slack, lost)[0]!.args.text)).toMatch(/ended with an error/);
    expect(postedTwice(posts(w.slack))).toEqual([]);
  });

  it(`killed ${CHUNKS - 1} times while the agent publishes: every event arrives once, the job completes`, {
    timeout: SOAK ? 900_000 : 240_000,
  }, async () => {
    if (!w.runner) await restartRunner(); // the test before failed with its runner down
    const { jobId } = await slashRegister(
      w.slack,
      `register stream --runner ${w.runnerId} ${CHUNK}x${CHUNKS}`,
    );
    const progressCount = () => botEvents(w.botHome, jobId).filter((e) => e.event === 'progress').length;
    for (let k = 1; k < CHUNKS; k++) {
      await waitFor(() => progressCount() > (k - 1) * CHUNK, {
        timeoutMs: 60_000,
        message: `chunk ${k} of ${jobId} to reach the bot`,
      }).catch(w.explain(jobId));
      await crashRunner();
      // The agent publishes chunk k+1 with its runner gone (straight to the broker).
      openGate(w.runnerHome, jobId, String(k + 1));
      await waitFor(() => progressCount() > k * CHUNK, {
        timeoutMs: 60_000,
        message: `chunk ${k + 1} of ${jobId} to reach the bot while the runner is down`,
      }).catch(w.explain(jobId));
      const runner = await restartRunner();
      await waitFor(() => passesDone(runner) >= 1, { timeoutMs: 30_000, message: 'a reconcile pass' });
      expect(runnerSession(w.runnerHome, jobId)?.status).toBe('running');
    }
    await waitFor(() => progressCount() === CHUNK * CHUNKS, {
      timeoutMs: 60_000,
      message: `all ${CHUNK * CHUNKS} progress events of ${jobId} in the bot's database`,
    });
    // Until the agent is let go, no runner took its live session for a dead one.
    expect(stoppedLines(jobId)).toEqual([]);
    openGate(w.runnerHome, jobId, 'end');
    await waitForEnd(jobId);

    expect(botJob(w.botHome, jobId)?.status).toBe('completed');
    const events = botEvents(w.botHome, jobId);
    expect(events).toHaveLength(CHUNK * CHUNKS + 2);
    expect(isContiguous(events.map((e) => e.seq))).toBe(true);
    expect(events.every((e) => e.verified)).toBe(true);
    expect(announcements(w.slack, jobId)).toHaveLength(1);
  });
});
