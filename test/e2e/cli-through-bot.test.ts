/**
 * CLI commands beside a running `hermes up` (real binaries, demo profile, embedded broker on a
 * port of its own, real tmux): they find the bot's broker and control socket in $HERMES_HOME, and
 * what they change shows in chat as if done there. Without a bot they work on the database and
 * say so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnHermes, tempHome } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { type HermesProcess, startHermes } from '../helpers/processes.js';
import { hasTmux, requireSystemDeps } from '../helpers/system.js';

const canRun = hasTmux() || requireSystemDeps();
let up: HermesProcess | undefined;
let cleanup = () => {};
let socket = '';
afterEach(async () => {
  await up?.stop('SIGKILL');
  up = undefined;
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // no server left: nothing to clean
  }
  cleanup();
});

async function startUp() {
  const t = tempHome();
  cleanup = t.cleanup;
  socket = `hermes-e2e-${process.pid}-${Date.now()}`;
  const port = await freePort();
  const env = {
    HERMES_HOME: t.home,
    HERMES_TMUX_SOCKET: socket,
    HERMES_DEMO_STEP_MS: '50',
  };
  up = startHermes(['up', '--console', '--linger', '0', '--broker-port', String(port)], env, {
    stdin: 'pipe',
  });
  await up.waitForOutput('type /hermes help');
  return { home: t.home, port, env: { HERMES_HOME: t.home } };
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe.skipIf(!canRun)('CLI beside a running hermes up', () => {
  it('finds the bot: doctor checks its broker; register, decide and cancel go through it and show in chat', {
    timeout: 90_000,
  }, async () => {
    const { home, port, env } = await startUp();
    const address = JSON.parse(readFileSync(join(home, 'bot.json'), 'utf8')) as Record<string, unknown>;
    expect(address.broker_url).toBe(`mqtt://127.0.0.1:${port}`);
    expect(mode(join(home, 'bot.json'))).toBe(0o600);
    expect(mode(join(home, 'bot.sock'))).toBe(0o600);

    const doctor = await spawnHermes(['doctor'], { env });
    expect(doctor.stdout).toMatch(
      new RegExp(
        `OK +broker +connected to mqtt://127\\.0\\.0\\.1:${port} \\(the running bot \\(hermes up, pid \\d+\\)\\)`,
      ),
    );

    // A folder the local runner will refuse (no runner.cwd_roots): refused before any card.
    const refused = await spawnHermes(
      ['jobs', 'register', '--profile', 'demo', '--cwd', '/tmp', '--prompt', 'x'],
      { env },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/runner local lets no job choose its working directory/);
    expect(up!.output()).not.toMatch(/┌─ Job/);

    const reg = await spawnHermes(['jobs', 'register', '--profile', 'demo', '--prompt', 'tidy', '--json'], {
      env,
    });
    expect(reg.stderr).toBe('');
    expect(reg.code).toBe(0);
    const jobId = (JSON.parse(reg.stdout) as { id: string }).id;
    await up!.waitForOutput(`┌─ Job ${jobId}`);
    await up!.waitForOutput(/answer: \/hermes approve (j-\S+) (r-\S+)/, 30_000);
    const requestId = /answer: \/hermes approve j-\S+ (r-\S+)/.exec(up!.output())![1]!;

    const decided = await spawnHermes(['jobs', 'decide', jobId, requestId, 'deny', '--reason', 'not today'], {
      env,
    });
    expect(decided.stderr).toBe('');
    expect(decided.stdout).toMatch(/denied by cli:.*through the running bot/);
    await up!.waitForOutput(/Denied by cli:\S+/);
    await up!.waitForOutput(new RegExp(`📣 .*Job ${jobId} .*\\berror\\b`), 30_000);

    const second = await spawnHermes(
      ['jobs', 'register', '--profile', 'demo', '--prompt', 'again', '--json'],
      { env },
    );
    const secondId = (JSON.parse(second.stdout) as { id: string }).id;
    await up!.waitForOutput(`┌─ Job ${secondId}`);
    const cancelled = await spawnHermes(['jobs', 'cancel', secondId], { env });
    expect(cancelled.code).toBe(0);
    expect(cancelled.stderr).toBe('');
    await up!.waitForOutput(new RegExp(`📣 ⏹ Job ${secondId} cancelled by cli:`));
    await up!.waitForOutput(`[${secondId}] ⏹ Cancelled by cli:`);

    // A runner nobody paired: a warning naming the paired ones; the job is kept for a worker.
    const unpaired = await spawnHermes(
      ['jobs', 'register', '--profile', 'demo', '--runner', 'build-01', '--prompt', 'x'],
      { env },
    );
    expect(unpaired.code).toBe(0);
    expect(unpaired.stderr).toMatch(/runner "build-01" is not paired with this bot \(paired: local\)/);

    up!.child.kill('SIGINT');
    expect((await up!.exited).code).toBe(0);
    expect(existsSync(join(home, 'bot.json'))).toBe(false);
    expect(existsSync(join(home, 'bot.sock'))).toBe(false);

    // No bot now: the database alone, and the command says chat catches up later.
    const third = await spawnHermes(
      ['jobs', 'register', '--profile', 'demo', '--runner', 'local', '--prompt', 'x', '--json'],
      { env },
    );
    const thirdId = (JSON.parse(third.stdout) as { id: string }).id;
    const offline = await spawnHermes(['jobs', 'cancel', thirdId], { env });
    expect(offline.code).toBe(0);
    expect(offline.stderr).toMatch(
      /no bot is running on this HERMES_HOME: .*chat catches up when the bot starts/,
    );
  });

  it('a bot.json left by a bot that died is ignored', { timeout: 60_000 }, async () => {
    const { home, env } = await startUp();
    up!.child.kill('SIGKILL');
    await up!.exited;
    expect(existsSync(join(home, 'bot.json'))).toBe(true);
    const doctor = await spawnHermes(['doctor', '--json'], { env });
    const broker = (JSON.parse(doctor.stdout) as Array<{ name: string; detail: string }>).find(
      (r) => r.name === 'broker',
    )!;
    expect(broker.detail).not.toMatch(/running bot/);
    const reg = await spawnHermes(['jobs', 'register', '--profile', 'demo', '--prompt', 'x', '--json'], {
      env,
    });
    expect(reg.code).toBe(0);
    expect(reg.stderr).toMatch(/no bot is running/);
  });
});
