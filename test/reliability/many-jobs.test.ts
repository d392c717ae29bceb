/**
 * Many demo jobs at once on one runner (50; 200 under `npm run soak`), every part its own process:
 * registered in one burst of `/hermes register` commands on the Slack stand-in, each approved
 * with its button as its request appears. All complete, each job's end is announced exactly once
 * in the channel, every event is accepted once, and every session is cleaned up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botEvents, botJobs, isContiguous, mirroredSessions } from '../helpers/hermes-state.js';
import { type HermesWorld, startWorld } from '../helpers/hermes-world.js';
import {
  announcements,
  click,
  permissionMessages,
  postedTwice,
  posts,
  slashRegister,
} from '../helpers/slack-chat.js';
import { hasMosquitto, hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const SOAK = process.env.HERMES_SOAK === '1';
const JOBS = SOAK ? 200 : 50;
/** Two busy cores start every agent, its `hermes run` and each `hermes publish` / `ask` as node. */
const BUDGET_MS = SOAK ? 1_500_000 : 420_000;

const canRun = (hasTmux() && hasMosquitto()) || requireSystemDeps();
if (!canRun) console.warn('!! tmux or mosquitto missing: test/reliability/many-jobs.test.ts is SKIPPED');

describe.skipIf(!canRun)(`${JOBS} demo jobs at once on one runner`, () => {
  let w: HermesWorld;

  beforeAll(async () => {
    w = await startWorld({ demoStepMs: 10 });
    await w.startBot();
    await w.startRunner();
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  it(`all ${JOBS} complete, each with exactly one terminal notification`, {
    timeout: BUDGET_MS,
  }, async () => {
    const started = Date.now();
    const registered = await Promise.all(
      Array.from({ length: JOBS }, (_, i) => {
        const marker = `job-${String(i + 1).padStart(3, '0')}-of-${JOBS}`;
        return slashRegister(w.slack, `register demo --runner ${w.runnerId} ${marker}`, {
          marker,
          timeoutMs: 120_000,
        });
      }),
    );
    const ids = new Set(registered.map((c) => c.jobId));
    expect(ids.size).toBe(JOBS);

    // Approve each request as it shows up, until every job has ended.
    const clicked = new Set<string>();
    const ended = () => [...ids].filter((id) => announcements(w.slack, id).length > 0).length;
    await waitFor(
      async () => {
        for (const m of permissionMessages(w.slack)) {
          if (!ids.has(m.jobId) || clicked.has(m.jobId)) continue;
          clicked.add(m.jobId);
          await click(w.slack, m, 'approve');
        }
        return ended() === JOBS;
      },
      {
        timeoutMs: BUDGET_MS - 60_000 - (Date.now() - started),
        intervalMs: 200,
        message: `all ${JOBS} jobs announced as ended`,
      },
    ).catch((e: Error) => {
      throw new Error(`${e.message} (clicked ${clicked.size}, ended ${ended()})`, { cause: e });
    });
    await waitFor(
      () => {
        const terminated = new Set(
          mirroredSessions(w.runnerHome)
            .filter((s) => s.status === 'terminated')
            .map((s) => s.job_id),
        );
        return [...ids].every((id) => terminated.has(id));
      },
      { timeoutMs: 60_000, message: `all ${JOBS} sessions terminated in agent-sessions.yaml` },
    );

    const jobs = botJobs(w.botHome).filter((j) => ids.has(j.id));
    expect(jobs.map((j) => j.status)).toEqual(Array(JOBS).fill('completed'));
    for (const id of ids) {
      const announced = announcements(w.slack, id);
      expect(announced, `announcements of ${id}`).toHaveLength(1);
      expect(String(announced[0]!.args.text)).toMatch(new RegExp(`^Job ${id} completed after`));
      const events = botEvents(w.botHome, id);
      expect(events.map((e) => e.event)).toEqual([
        'started',
        'progress',
        'progress',
        'permission_required',
        'progress',
        'completed',
      ]);
      expect(isContiguous(events.map((e) => e.seq))).toBe(true);
      expect(w.hasTmuxSession(id)).toBe(false);
    }
    expect(postedTwice(posts(w.slack))).toEqual([]);
  });
});
