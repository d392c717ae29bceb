/**
 * The real binary in a shell pipeline: a reader that stops early (`hermes jobs show J | head -3`)
 * ends the command quietly, with no EPIPE stack trace.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HERMES_BIN, spawnHermes, tempHome } from '../helpers/cli.js';

let cleanup = () => {};
afterEach(() => cleanup());

/** Runs the CLI with its stdout's reading end already closed: the first write meets EPIPE. */
function runIntoClosedPipe(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [HERMES_BIN, ...args], {
      env: { PATH: process.env.PATH, HERMES_LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    child.stdout.destroy();
    const err: Buffer[] = [];
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr: Buffer.concat(err).toString('utf8') }));
  });
}

describe('hermes in a pipeline', () => {
  it('ends quietly when the reader goes away (jobs show, jobs list, --help)', async () => {
    const t = tempHome();
    cleanup = t.cleanup;
    const env = { HERMES_HOME: t.home };
    const reg = await spawnHermes(['jobs', 'register', '--profile', 'demo', '--prompt', 'x', '--json'], {
      env,
    });
    expect(reg.code).toBe(0);
    const id = (JSON.parse(reg.stdout) as { id: string }).id;
    for (const args of [['jobs', 'show', id], ['jobs', 'list'], ['--help']]) {
      const r = await runIntoClosedPipe(args, env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });
});

describe('hermes as a command after the set-up', () => {
  it('runs as `npx hermes` from the clone, as README writes it', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const r = spawnSync('npx', ['--no-install', 'hermes', '--version'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, npm_config_update_notifier: 'false' },
      encoding: 'utf8',
      // npx starts the whole npm CLI first: seconds on a loaded 2-core machine.
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^hermes \d+\.\d+\.\d+\n$/);
    expect(r.status).toBe(0);
  }, 150_000);
});
