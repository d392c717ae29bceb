import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHermes, spawnHermes, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home, cleanup } = tempHome());
});
afterEach(() => cleanup());
const hermes = (args: string[], stdin?: string) => runHermes(args, { env: { HERMES_HOME: home }, stdin });

describe('hermes jobs', () => {
  it('register prints the job without its token unless --reveal-token', async () => {
    const r = await hermes(['jobs', 'register', '--profile', 'demo', '--prompt', 'tidy', '--json']);
    expect(r.code).toBe(0);
    const job = JSON.parse(r.stdout);
    expect(job).toMatchObject({
      status: 'pending',
      profile: 'demo',
      auth: 'token',
      runner: 'local',
      prompt: 'tidy',
    });
    expect(job.token).toBeUndefined();
    const revealed = JSON.parse(
      (await hermes(['jobs', 'register', '--profile', 'demo', '--json', '--reveal-token'])).stdout,
    );
    expect(revealed.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('--no-auth is marked everywhere it is shown', async () => {
    const r = await hermes(['jobs', 'register', '--profile', 'demo', '--no-auth', '--json']);
    const id = JSON.parse(r.stdout).id;
    expect(JSON.parse(r.stdout).auth).toBe('none');
    expect((await hermes(['jobs', 'list'])).stdout).toContain('UNSIGNED');
    expect((await hermes(['jobs', 'show', id])).stdout).toContain('UNSIGNED');
  });

  it('takes a token from a file, refuses conflicting token flags', async () => {
    const f = join(home, 'tok');
    writeFileSync(f, 'file-token-0123456789abcdef\n', { mode: 0o600 });
    const r = await hermes([
      'jobs',
      'register',
      '--profile',
      'demo',
      '--auth-token-file',
      f,
      '--json',
      '--reveal-token',
    ]);
    expect(JSON.parse(r.stdout).token).toBe('file-token-0123456789abcdef');
    const bad = await hermes([
      'jobs',
      'register',
      '--profile',
      'demo',
      '--no-auth',
      '--auth-token',
      'x'.repeat(20),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/at most one of/);
  });

  it('list filters by status; claim exits 4 when nothing is pending; cancel refuses a terminal job', async () => {
    const id = JSON.parse(
      (await hermes(['jobs', 'register', '--profile', 'demo', '--runner', 'r1', '--json'])).stdout,
    ).id;
    expect(JSON.parse((await hermes(['jobs', 'list', '--status', 'pending', '--json'])).stdout)).toHaveLength(
      1,
    );
    const claimed = await hermes(['jobs', 'claim', '--runner', 'r1', '--json']);
    expect(JSON.parse(claimed.stdout)).toMatchObject({ id, status: 'dispatched' });
    const none = await hermes(['jobs', 'claim', '--runner', 'r1']);
    expect(none).toMatchObject({ code: 4, stdout: '' });
    expect((await hermes(['jobs', 'cancel', id])).code).toBe(0);
    const again = await hermes(['jobs', 'cancel', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cancelled; it cannot become cancelled/);
  });

  it('bad input: one clear line and a non-zero exit', async () => {
    expect(await hermes(['jobs', 'show', 'j-nope'])).toMatchObject({
      code: 1,
      stderr: 'hermes: no job with id j-nope (see hermes jobs list)\n',
    });
    expect((await hermes(['jobs', 'list', '--status', 'bogus'])).stderr).toMatch(/status must be one of/);
    expect((await hermes(['jobs', 'register'])).code).toBe(2);
    expect((await hermes(['jobs', 'register', '--profile', 'demo', '--wat'])).stderr).toMatch(
      /jobs register: no option --wat \(options: --profile, /,
    );
    expect((await hermes(['frobnicate'])).code).toBe(2);
  });

  it('an unreadable database is one clear error', async () => {
    writeFileSync(join(home, 'hermes.db'), 'this is not sqlite');
    const r = await hermes(['jobs', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('the installed binary runs (--help, and a real register)', async () => {
    const help = await spawnHermes(['--help'], { env: { HERMES_HOME: home } });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('jobs register');
    const r = await spawnHermes(['jobs', 'register', '--profile', 'demo', '--json'], {
      env: { HERMES_HOME: home },
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('pending');
  });
});
