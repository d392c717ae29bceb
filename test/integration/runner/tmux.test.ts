import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAgentSession } from '../../../runner/start-session.js';
import { sessionNameFor, Tmux } from '../../../runner/tmux.js';
import { type Exec, nodeExec, tmuxClientEnv } from '../../../runner/tmux-exec.js';
import { isHermesError } from '../../../src/errors.js';
import { hasTmux } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';

if (!hasTmux()) console.warn('!! tmux not found: test/integration/runner/tmux.test.ts is SKIPPED');

/** node prints its argv (after the output file) as JSON into the output file. */
// Written to a temp file and renamed, so a poll never reads a half-written file.
const DUMP_ARGV =
  "const fs = require('fs'); fs.writeFileSync(process.argv[1] + '.tmp', JSON.stringify(process.argv.slice(2))); fs.renameSync(process.argv[1] + '.tmp', process.argv[1])";

describe.skipIf(!hasTmux())('Tmux on a private socket (real tmux)', () => {
  let dir: string;
  let tmux: Tmux;
  let execArgs: string[][];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hermes-tmux-'));
    execArgs = [];
    const real = nodeExec({ env: tmuxClientEnv(process.env) });
    const recording: Exec = (file, args) => {
      execArgs.push([file, ...args]);
      return real(file, args);
    };
    tmux = new Tmux({ socket: `hermes-test-${randomBytes(5).toString('hex')}`, exec: recording });
  });

  afterEach(async () => {
    await tmux.killServer();
    rmSync(dir, { recursive: true, force: true });
  });

  const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

  it('lists no sessions when no server runs, in one call', async () => {
    expect(await tmux.listSessions()).toEqual([]);
    expect(tmux.calls()).toBe(1);
    expect(tmux.calls('list-sessions')).toBe(1);
  });

  it('hands chat text to the program verbatim, one argv element each, with no shell', async () => {
    const tricky = [
      `$(touch ${dir}/pwned)`,
      `\`touch ${dir}/pwned2\``,
      `it's "quoted" and 'single'`,
      'a; touch pwned3',
      ';',
      'ends with;',
      'ends with\\;',
      '#{session_name} ~ *',
      '',
      'multi\nline\ttab',
      '-e',
      '--',
      'X=1',
      'é😀',
    ];
    const out = join(dir, 'argv.json');
    await tmux.newSession('hermes-argv', [process.execPath, '-e', DUMP_ARGV, out, ...tricky], {
      cwd: dir,
      env: {},
    });
    await waitFor(() => existsSync(out), { timeoutMs: 10_000, message: 'the program to write its argv' });
    expect(readJson(out)).toEqual(tricky);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned2'))).toBe(false);
    expect(existsSync(join(dir, 'pwned3'))).toBe(false);
  });

  it('runs a one-word program path without a shell (a space in the path survives)', async () => {
    const script = join(dir, 'my prog.sh');
    writeFileSync(script, `#!/bin/sh\necho ran > "${dir}/ran"\n`);
    chmodSync(script, 0o755);
    await tmux.newSession('hermes-one', [script], { cwd: dir, env: {} });
    await waitFor(() => existsSync(join(dir, 'ran')), { timeoutMs: 10_000, message: 'the script to run' });
  });

  it('passes environment and cwd through untouched', async () => {
    const out = join(dir, 'env.json');
    const code = `const fs = require('fs'); fs.writeFileSync(${JSON.stringify(`${out}.tmp`)}, JSON.stringify({ v: process.env.HERMES_X, cwd: process.cwd() })); fs.renameSync(${JSON.stringify(`${out}.tmp`)}, ${JSON.stringify(out)})`;
    const sub = join(dir, 'sub#{x};');
    await import('node:fs').then((fs) => fs.mkdirSync(sub));
    await tmux.newSession('hermes-env', [process.execPath, '-e', code], {
      cwd: sub,
      env: { HERMES_X: 'a;b #{y};' },
    });
    await waitFor(() => existsSync(out), { timeoutMs: 10_000, message: 'the program to write its env' });
    expect(readJson(out)).toEqual({ v: 'a;b #{y};', cwd: sub });
  });

  it('lists sessions with pane pid and keeps a dead pane with its exit status', async () => {
    await tmux.newSession('hermes-live', ['sleep', '600'], { cwd: dir, env: {} });
    // Linux may drop a pty's last output when the program exits right after writing it,
    // so this program waits to be told to exit once its output is on screen.
    const script = 'echo bye; while [ ! -e go ]; do sleep 0.01; done; exit 3';
    await tmux.newSession('hermes-dead', ['sh', '-c', script], { cwd: dir, env: {} });
    await waitFor(async () => (await tmux.capturePane('hermes-dead', 5)).includes('bye'), {
      timeoutMs: 10_000,
      message: 'output on the pane',
    });
    writeFileSync(join(dir, 'go'), '');
    await waitFor(
      async () =>
        (await tmux.listSessions()).some((s) => s.name === 'hermes-dead' && s.paneDeadStatus !== undefined),
      {
        timeoutMs: 10_000,
        message: 'the exiting pane to be dead',
      },
    );
    const byName = new Map((await tmux.listSessions()).map((s) => [s.name, s]));
    const live = byName.get('hermes-live')!;
    expect(live.paneDead).toBe(false);
    expect(live.panePid).toBeGreaterThan(1);
    expect(live.createdAt).toBeGreaterThan(Date.now() - 60_000);
    expect(await tmux.panePid('hermes-live')).toBe(live.panePid);
    expect(byName.get('hermes-dead')).toMatchObject({ paneDead: true, paneDeadStatus: 3 });
    expect(await tmux.capturePane('hermes-dead', 20)).toContain('bye');
  });

  // Generous bounds: the wait ends as soon as the status shows; under a loaded suite (50 demo jobs
  // starting in another worker) one tmux round trip has been seen to take ten seconds.
  it('learns every exit status while it polls (tmux can miss a child exit without the reap nudge)', {
    timeout: 180_000,
  }, async () => {
    const script = 'echo up; while [ ! -e "go-$0" ]; do sleep 0.01; done; exit 7';
    for (let round = 0; round < 12; round++) {
      const name = `hermes-poll-${round}`;
      await tmux.newSession(name, ['sh', '-c', script, String(round)], { cwd: dir, env: {} });
      await waitFor(async () => (await tmux.capturePane(name, 5)).includes('up'), {
        timeoutMs: 10_000,
        message: `round ${round}: output on the pane`,
      });
      writeFileSync(join(dir, `go-${round}`), '');
      await waitFor(
        async () => (await tmux.listSessions()).some((s) => s.name === name && s.paneDeadStatus === 7),
        {
          timeoutMs: 30_000,
          message: `round ${round}: exit status 7 in list-sessions`,
        },
      );
      expect((await tmux.paneState(name))?.deadStatus).toBe(7);
    }
  });

  it('captures the last lines of a pane', async () => {
    await tmux.newSession(
      'hermes-cap',
      ['sh', '-c', 'for i in 1 2 3 4 5; do echo line-$i; done; exec sleep 600'],
      {
        cwd: dir,
        env: {},
      },
    );
    await waitFor(async () => (await tmux.capturePane('hermes-cap', 100)).includes('line-5'), {
      timeoutMs: 10_000,
      message: 'output in the pane',
    });
    expect((await tmux.capturePane('hermes-cap', 2)).split('\n')).toEqual(['line-4', 'line-5']);
  });

  it('matches session names exactly and kills only what it names', async () => {
    await tmux.newSession('hermes-j-12', ['sleep', '600'], { cwd: dir, env: {} });
    expect(await tmux.hasSession('hermes-j-1')).toBe(false);
    expect(await tmux.killSession('hermes-j-1')).toBe(false);
    expect(await tmux.hasSession('hermes-j-12')).toBe(true);
    expect(await tmux.killSession('hermes-j-12')).toBe(true);
    expect(await tmux.hasSession('hermes-j-12')).toBe(false);
  });

  it('refuses names with tmux target syntax', async () => {
    await expect(tmux.hasSession('hermes-a:1')).rejects.toThrow(/not a valid tmux session name/);
    expect(tmux.calls()).toBe(0);
  });

  it('turns a tmux failure into a tmux error carrying its stderr', async () => {
    await tmux.newSession('hermes-dup', ['sleep', '600'], { cwd: dir, env: {} });
    const err = await tmux
      .newSession('hermes-dup', ['sleep', '600'], { cwd: dir, env: {} })
      .catch((e: unknown) => e);
    expect(isHermesError(err, 'tmux')).toBe(true);
    expect((err as Error).message).toMatch(/duplicate session/);
  });

  describe('startAgentSession', () => {
    const token = randomBytes(32).toString('base64url');

    it('reports started once the program runs; token only as a 0600 file', async () => {
      const out = join(dir, 'agent.json');
      const code = `const fs=require('fs');fs.writeFileSync(${JSON.stringify(`${out}.tmp`)}, JSON.stringify({file: process.env.HERMES_TOKEN_FILE, token: fs.readFileSync(process.env.HERMES_TOKEN_FILE,'utf8'), env: process.env}));fs.renameSync(${JSON.stringify(`${out}.tmp`)}, ${JSON.stringify(out)});setTimeout(()=>{}, 600000)`;
      const started = await startAgentSession({
        tmux,
        home: dir,
        jobId: 'j-start1',
        token,
        argv: [process.execPath, '-e', code],
        cwd: dir,
        env: { PROFILE_VAR: '1' },
      });
      expect(started.name).toBe(sessionNameFor('j-start1'));
      expect(started.command).toBe('node');
      const state = await tmux.paneState(started.name);
      expect(state).toMatchObject({ dead: false, pid: started.panePid });

      const tokenFile = join(dir, 'jobs', 'j-start1', 'token');
      expect(started.tokenFile).toBe(tokenFile);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'jobs', 'j-start1')).mode & 0o777).toBe(0o700);
      await waitFor(() => existsSync(out), { timeoutMs: 10_000, message: 'the agent to report' });
      const seen = readJson(out) as { file: string; token: string; env: Record<string, string> };
      expect(seen).toMatchObject({ file: tokenFile, token });
      expect(seen.env).toMatchObject({ HERMES_JOB_ID: 'j-start1', HERMES_HOME: dir, PROFILE_VAR: '1' });
      expect(Object.values(seen.env).some((v) => v.includes(token))).toBe(false);
      for (const args of execArgs) expect(args.join('\0')).not.toContain(token);
    });

    it('fails with the cause when the program does not exist, kills the session, leaves the files to the caller', async () => {
      const err = await startAgentSession({
        tmux,
        home: dir,
        jobId: 'j-missing',
        token,
        argv: ['hermes-no-such-agent-binary', '--flag'],
        cwd: dir,
      }).catch((e: unknown) => e);
      expect(isHermesError(err, 'tmux')).toBe(true);
      expect((err as Error).message).toMatch(/status 127 \(program not found\)/);
      // The pane's last words ("env: ...: No such file or directory") are added when tmux caught them.
      expect((err as Error).message).toMatch(/^agent hermes-no-such-agent-binary for job j-missing exited/);
      expect(await tmux.hasSession(sessionNameFor('j-missing'))).toBe(false);
      // The token (and seq/) stay until the caller has published the job's error event.
      expect(existsSync(join(dir, 'jobs', 'j-missing', 'token'))).toBe(true);
    });

    it('fails before touching tmux when the program is not on the pane PATH', async () => {
      const err = await startAgentSession({
        tmux,
        home: dir,
        jobId: 'j-nopath',
        token,
        argv: ['hermes-no-such-agent-binary'],
        cwd: dir,
        searchPath: '/usr/bin:/bin',
      }).catch((e: unknown) => e);
      expect(isHermesError(err, 'env')).toBe(true);
      expect((err as Error).message).toBe(
        'cannot start job j-nopath: program hermes-no-such-agent-binary is not on PATH (/usr/bin:/bin)',
      );
      const noExec = await startAgentSession({
        tmux,
        home: dir,
        jobId: 'j-noexec',
        argv: [join(dir, 'x.sh')],
        cwd: dir,
      }).catch((e: unknown) => e);
      expect((noExec as Error).message).toMatch(/program .*x\.sh does not exist or is not executable/);
      expect(tmux.calls()).toBe(0);
      expect(existsSync(join(dir, 'jobs', 'j-nopath'))).toBe(false);
    });

    it('fails before touching tmux when the working directory is missing', async () => {
      const err = await startAgentSession({
        tmux,
        home: dir,
        jobId: 'j-badcwd',
        token,
        argv: ['sleep', '600'],
        cwd: join(dir, 'nope'),
      }).catch((e: unknown) => e);
      expect(isHermesError(err, 'env')).toBe(true);
      expect((err as Error).message).toMatch(/working directory .*nope does not exist/);
      expect(tmux.calls()).toBe(0);
      expect(existsSync(join(dir, 'jobs', 'j-badcwd'))).toBe(false);
    });

    it('refuses a token placed in argv', async () => {
      const err = await startAgentSession({
        tmux,
        home: dir,
        jobId: 'j-leak',
        token,
        argv: ['sleep', token],
        cwd: dir,
      }).catch((e: unknown) => e);
      expect(isHermesError(err, 'forbidden')).toBe(true);
      expect(tmux.calls()).toBe(0);
    });
  });
});
