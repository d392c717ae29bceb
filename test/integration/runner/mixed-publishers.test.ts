/**
 * One job, two publishers, under a real `hermes runner` (issue 16): the old fleet's agent
 * (Python, paho-mqtt, straight to Mosquitto) and `hermes publish` / `hermes ask` (through the
 * runner's socket). The runner follows the job's topic, so the seq it hands out is above every one
 * the fleet used, and a fleet agent that asks the socket too never collides with Hermes: every
 * event is accepted, none is dropped as a duplicate.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSeqs } from '../../../runner/daemon/job-seqs.js';
import { tokenFilePath } from '../../../runner/job-files.js';
import { silentLogger } from '../../../src/log.js';
import { openDatabase } from '../../../src/store/sqlite.js';
import { spawnHermes } from '../../helpers/cli.js';
import { FLEET_TOKEN, fleetPublish, fleetPython, fleetSpec } from '../../helpers/python-fleet.js';
import { hasMosquitto, hasTmux } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';
import { type DaemonWorld, startWorld } from './daemon-harness.js';

const available = hasTmux() && hasMosquitto() && fleetPython !== undefined;
if (!available)
  console.warn('!! tmux, mosquitto or python3-paho-mqtt missing: mixed-publishers.test.ts is SKIPPED');

const aware = ', "timestamp": "aware"';
const fromRunner = `${aware}, "seq_from": "runner"`;

describe.skipIf(!available)('a fleet agent and hermes publish on one job, under a runner', () => {
  let w: DaemonWorld;

  beforeAll(async () => {
    w = await startWorld({ profiles: { sleeper: { argv: ['sleep', '600'] } } });
    await w.startRunner();
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });

  /** The highest seq of the job the runner has received from the broker (its runner.db). */
  const runnerSaw = (jobId: string): number => {
    const db = openDatabase(join(w.runnerHome, 'runner.db'), { log: silentLogger });
    try {
      return new JobSeqs(db, w.runnerHome).highestSeen(jobId);
    } finally {
      db.close();
    }
  };

  it('seqs never collide: hermes publish and ask continue above the fleet, and the fleet asks the socket', async () => {
    const bot = w.bot.bot!;
    const job = bot.registry.register({
      profile: 'sleeper',
      runner: w.runnerId,
      owner: 'test',
      auth: { kind: 'given', token: FLEET_TOKEN },
    });
    bot.runners.kick();
    await w.waitForSession(job.id, 'running');
    // What an agent process in the job's session has (no broker URL: the socket is the only way).
    const socket = join(w.runnerHome, 'runner.sock');
    const env = {
      HERMES_HOME: w.runnerHome,
      HERMES_JOB_ID: job.id,
      HERMES_TOKEN_FILE: tokenFilePath(w.runnerHome, job.id),
      HERMES_RUNNER_SOCKET: socket,
    };

    // `hermes run`, the session's wrapper, published `started` as seq 1 through the socket.
    await w.waitForEvent(job.id, 'started');
    // The fleet agent, moved over mid-way, goes on with its own counter.
    expect(
      await fleetPublish(w.broker, [
        fleetSpec(job.id, 10, 'progress', ', "detail": "fleet"', aware),
        fleetSpec(job.id, 11, 'progress', ', "detail": "fleet"', aware),
      ]),
    ).toEqual([10, 11]);
    await waitFor(() => w.events(job.id).length === 3, { timeoutMs: 10_000, message: 'fleet events stored' });
    // The runner receives what the bot receives, from the same broker.
    await waitFor(() => runnerSaw(job.id) === 11, { timeoutMs: 10_000, message: 'the runner saw seq 11' });

    const pub = await spawnHermes(['publish', '--event', 'progress', '--detail', 'hermes', '--json'], {
      env,
    });
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stderr).toBe('');
    expect(JSON.parse(pub.stdout)).toMatchObject({ seq: 12, via: 'runner' });

    // A fleet agent under the runner takes its seq from the socket too (README, "A mixed fleet").
    expect(
      await fleetPublish(
        w.broker,
        [fleetSpec(job.id, 0, 'progress', ', "detail": "fleet again"', fromRunner)],
        '4',
        {
          HERMES_RUNNER_SOCKET: socket,
        },
      ),
    ).toEqual([13]);

    const asking = spawnHermes(['ask', '--tool', 'Bash', '--input', '{"command":"ls"}', '--timeout', '20'], {
      env,
      timeoutMs: 30_000,
    });
    const requestId = await w.pendingRequest(job.id);
    await w.decide(job.id, requestId, 'approve');
    const asked = await asking;
    expect(asked.code, asked.stderr).toBe(0);
    expect(w.events(job.id).find((e) => e.event === 'permission_required')?.seq).toBe(14);

    expect(
      await fleetPublish(w.broker, [fleetSpec(job.id, 0, 'completed', ', "detail": null', fromRunner)], '4', {
        HERMES_RUNNER_SOCKET: socket,
      }),
    ).toEqual([15]);
    await w.waitForStatus(job.id, 'completed');
    expect(w.events(job.id).map((e) => [e.seq, e.event])).toEqual([
      [1, 'started'],
      [10, 'progress'],
      [11, 'progress'],
      [12, 'progress'],
      [13, 'progress'],
      [14, 'permission_required'],
      [15, 'completed'],
    ]);
    const audited = w.bot.audit().filter((a) => a.job_id === job.id);
    expect(audited.map((a) => a.reason ?? a.verdict)).toEqual(Array(7).fill('accepted'));
  }, 90_000);
});
