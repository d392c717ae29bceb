/**
 * `hermes run` as the real binary against real Mosquitto and the in-process
 * bot: the events it publishes are the ones the bot accepts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf } from '../../../src/jobs/queries.js';
import { type BotHarness, botHarness } from '../../helpers/bot-harness.js';
import { spawnHermes, tempHome } from '../../helpers/cli.js';
import { type MosquittoBroker, startMosquitto } from '../../helpers/mosquitto.js';
import { hasMosquitto } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';

describe.skipIf(!hasMosquitto())('hermes run (real binary, Mosquitto, bot in process)', () => {
  let broker: MosquittoBroker;
  let h: BotHarness;
  let cleanup: () => void;

  beforeAll(async () => {
    broker = await startMosquitto();
    const t = tempHome('hermes-run-');
    cleanup = t.cleanup;
    h = botHarness(t.home, broker.url);
    await h.start();
  });
  afterAll(async () => {
    await h?.stop();
    await broker?.stop();
    cleanup?.();
  });

  /** Runs `hermes run -- ...argv` for a fresh job; resolves when the job has its terminal event. */
  async function runJob(argv: string[], extraEnv: Record<string, string> = {}) {
    const { job, token } = h.register();
    const res = await spawnHermes(['run', '--', ...argv], {
      env: { ...h.agentEnv(job, token), ...extraEnv },
    });
    await waitFor(() => ['completed', 'error'].includes(h.bot!.registry.require(job.id).status), {
      timeoutMs: 10_000,
      message: `a terminal event for ${job.id} (stderr: ${res.stderr})`,
    });
    const events = eventsOf(h.bot!.db, job.id);
    return {
      res,
      status: h.bot!.registry.require(job.id).status,
      events: events.map((e) => ({ event: e.event, detail: e.detail, data: JSON.parse(e.wire).data })),
    };
  }

  it('publishes started then completed for exit 0, with the command on the inherited stdio', async () => {
    const r = await runJob(['sh', '-c', 'echo to-stdout; echo to-stderr >&2']);
    expect(r.res.code).toBe(0);
    expect(r.res.stdout).toContain('to-stdout');
    expect(r.res.stderr).toContain('to-stderr');
    expect(r.status).toBe('completed');
    expect(r.events.map((e) => [e.event, e.detail])).toEqual([
      ['started', 'sh started'],
      ['completed', 'sh exited with status 0'],
    ]);
    expect(r.events[1]!.data).toMatchObject({ exit_code: 0 });
  });

  it('publishes error with the status for a non-zero exit, and exits with it', async () => {
    const r = await runJob(['sh', '-c', 'exit 3'], { HERMES_PROFILE: 'review' });
    expect(r.res.code).toBe(3);
    expect(r.status).toBe('error');
    expect(r.events.map((e) => e.detail)).toEqual([
      'review agent started',
      'review agent exited with status 3',
    ]);
    expect(r.events[1]!.data).toMatchObject({ exit_code: 3 });
  });

  it("an error exit says the agent's last stderr line, colour codes dropped; stderr still passes through", async () => {
    const script =
      'echo starting >&2; printf "\\033[31mError: ANTHROPIC_API_KEY is not set\\033[0m\\n\\n" >&2; exit 1';
    const r = await runJob(['sh', '-c', script], { HERMES_PROFILE: 'claude' });
    expect(r.res.code).toBe(1);
    expect(r.res.stderr).toContain('starting');
    expect(r.res.stderr).toContain('Error: ANTHROPIC_API_KEY is not set');
    expect(r.events[1]).toMatchObject({
      event: 'error',
      detail: 'claude agent exited with status 1: Error: ANTHROPIC_API_KEY is not set',
      data: { exit_code: 1, last_error_line: 'Error: ANTHROPIC_API_KEY is not set' },
    });
  });

  it('reports a signal as an error, exit 128 + n', async () => {
    const r = await runJob(['sh', '-c', 'kill -TERM $$']);
    expect(r.res.code).toBe(143);
    expect(r.events[1]).toMatchObject({
      event: 'error',
      detail: 'sh was killed by signal SIGTERM',
      data: { exit_code: 143, signal: 'SIGTERM' },
    });
  });

  it('a command that cannot be spawned is an error event with the cause, exit 127', async () => {
    const r = await runJob(['hermes-no-such-agent', '--x']);
    expect(r.res.code).toBe(127);
    expect(r.events[1]).toMatchObject({ event: 'error', data: { exit_code: 127 } });
    expect(r.events[1]!.detail).toMatch(/^cannot run hermes-no-such-agent: not found .*\(ENOENT\)$/);
    expect(r.res.stderr).toContain('cannot run hermes-no-such-agent');
  });

  it('leaves everything after -- to the command (even --help and --config)', async () => {
    const r = await runJob(['sh', '-c', 'printf "%s|" "$@"', 'sh', '--help', '--config', 'x', '-h']);
    expect(r.res.code).toBe(0);
    expect(r.res.stdout).toBe('--help|--config|x|-h|');
  });

  it('needs a command', async () => {
    const res = await spawnHermes(['run'], { env: {} });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/give the command to run after --/);
  });
});
