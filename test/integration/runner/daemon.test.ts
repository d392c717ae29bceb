/**
 * The runner daemon end to end: the in-process bot dispatches to a real
 * `hermes runner` process over real Mosquitto, agents run in real tmux on a
 * private socket, and every job's outcome is checked where a person sees it
 * (the bot's events and job state) and where the runner keeps it (runner.db,
 * agent-sessions.yaml).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sessionNameFor } from '../../../runner/tmux.js';
import { mirrorPath } from '../../../runner/yaml-mirror.js';
import type { Dispatcher } from '../../../src/bot/dispatcher.js';
import { buildRunnerCommand } from '../../../src/bot/runner-commands.js';
import { RunnersStore } from '../../../src/bot/runners-store.js';
import { systemClock, systemRandom } from '../../../src/clock.js';
import { topics } from '../../../src/protocol/topics.js';
import { record, testBus } from '../../helpers/bus-clients.js';
import { spawnHermes } from '../../helpers/cli.js';
import { hasMosquitto, hasTmux } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';
import { type DaemonWorld, startWorld } from './daemon-harness.js';

const available = hasTmux() && hasMosquitto();

/**
 * Stands in for Claude Code: reads the hooks the runner installed in its
 * working copy, runs the PreToolUse one as Claude Code would (through sh,
 * hook JSON on stdin) and goes on only if it answers allow.
 */
const FAKE_CLAUDE = `#!/usr/bin/env node
const { readFileSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const settings = JSON.parse(readFileSync('.claude/settings.local.json', 'utf8'));
const command = settings.hooks.PreToolUse.at(-1).hooks[0].command;
const input = JSON.stringify({ session_id: 's-1', hook_event_name: 'PreToolUse', cwd: process.cwd(),
  tool_name: 'Bash', tool_input: { command: 'npm test' } });
const r = spawnSync('sh', ['-c', command], { input, encoding: 'utf8' });
console.log('hook said:', r.stdout.trim());
const out = JSON.parse(r.stdout);
process.exit(out.hookSpecificOutput.permissionDecision === 'allow' ? 0 : 1);
`;
if (!available)
  console.warn('!! tmux or mosquitto missing: test/integration/runner/daemon.test.ts is SKIPPED');

describe.skipIf(!available)('hermes runner with the bot (real Mosquitto, tmux, child process)', () => {
  let w: DaemonWorld;
  let script: string;

  beforeAll(async () => {
    w = await startWorld({
      profiles: {
        script: { argv: ['sh', 'PLACEHOLDER', '{prompt}'] },
        sleeper: { argv: ['sleep', '600'] },
        missing: { argv: ['hermes-no-such-program', '{prompt}'] },
        badcwd: { argv: ['sleep', '1'], cwd: '/nonexistent/hermes-test-dir' },
      },
    });
    // The script profile's file lives in the runner's home; point the config at it.
    script = join(w.runnerHome, 'agent.sh');
    writeFileSync(
      script,
      '#!/bin/sh\nhermes publish --event progress --detail "script got: $1" || exit 9\nexit 0\n',
      { mode: 0o755 },
    );
    const cfg = join(w.runnerHome, 'config.yaml');
    writeFileSync(cfg, readFileSync(cfg, 'utf8').replace('PLACEHOLDER', script));
    // A stand-in `claude` on the runner's PATH for the built-in claude profile (see its test).
    const fakeBin = join(w.runnerHome, 'fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'claude'), FAKE_CLAUDE, { mode: 0o755 });
    w.runnerEnv.PATH = `${fakeBin}:${process.env.PATH}`;
    await w.startRunner();
  }, 60_000);

  afterAll(async () => {
    await w?.close();
  });

  it('runs a demo job: dispatched, running in tmux, peek shows the pane, approved, completed, session cleaned up', async () => {
    const job = w.register('demo', 'tidy the README');
    const requestId = await w.pendingRequest(job.id);
    expect(w.status(job.id)).toBe('waiting');
    expect(await w.tmux.hasSession(sessionNameFor(job.id))).toBe(true);
    const kinds = w.events(job.id).map((e) => e.event);
    expect(kinds.slice(0, 2)).toEqual(['started', 'progress']);
    expect(w.events(job.id).every((e) => e.verified)).toBe(true);
    const ask = w.events(job.id).find((e) => e.event === 'permission_required')!;
    expect(JSON.parse(ask.wire).data).toMatchObject({ tool: 'Write', input: { file_path: 'README.md' } });

    const pane = await w.bot.bot!.runners.peek(job.id, 20);
    expect(pane).toContain('demo agent: asking for permission to write README.md');

    await w.decide(job.id, requestId, 'approve');
    await w.waitForStatus(job.id, 'completed');
    const done = await w.waitForEvent(job.id, 'completed');
    expect(done.detail).toBe('demo agent exited with status 0');

    // linger 0: the next reconcile pass kills the session, and the YAML mirror says so (it is written
    // at the end of that pass, after the store row changed).
    await w.waitForSession(job.id, 'terminated');
    expect(await w.tmux.hasSession(sessionNameFor(job.id))).toBe(false);
    const mirrored = () => {
      if (!existsSync(mirrorPath(w.runnerHome))) return undefined;
      const yaml = parse(readFileSync(mirrorPath(w.runnerHome), 'utf8')) as {
        sessions: Array<{ job_id: string; status: string; last_event: string }>;
      };
      return yaml.sessions.find((s) => s.job_id === job.id);
    };
    await waitFor(() => mirrored()?.status === 'terminated', {
      timeoutMs: 10_000,
      message: 'agent-sessions.yaml to show the session terminated',
    });
    expect(mirrored()).toMatchObject({ status: 'terminated', last_event: 'completed' });
    // The token file went with the session.
    expect(existsSync(join(w.runnerHome, 'jobs', job.id))).toBe(false);
    // And the retained `completed` was cleared: a new subscriber gets only a live marker.
    const late = await testBus(w.broker.url);
    try {
      const got = record(late);
      // The marker goes to a topic of its own (the bot would count it as a malformed event).
      const marker = `test/marker/${job.id}`;
      await late.subscribe([topics.jobEvents('hermes', job.id), marker]);
      await late.publish(marker, 'marker', { qos: 1 });
      await waitFor(() => got.texts().includes('marker'), { timeoutMs: 5_000, message: 'the marker' });
      expect(got.texts()).toEqual(['marker']);
    } finally {
      await late.close();
    }
  });

  it('a denied demo job ends in error', async () => {
    const job = w.register('demo', 'rewrite everything');
    await w.decide(job.id, await w.pendingRequest(job.id), 'deny');
    await w.waitForStatus(job.id, 'error');
    expect((await w.waitForEvent(job.id, 'error')).detail).toBe(
      'demo agent exited with status 1: permission denied; stopping without changes',
    );
  });

  it('a script agent publishes through hermes publish; the prompt stays one literal argument', async () => {
    const prompt = `it's "quoted" $(touch pwned) ; rm -rf nothing; {prompt}`;
    const job = w.register('script', prompt);
    await w.waitForStatus(job.id, 'completed');
    const progress = w.events(job.id).find((e) => e.event === 'progress');
    expect(progress?.detail).toBe(`script got: ${prompt}`);
    expect(existsSync(join(w.runnerHome, 'work', 'pwned'))).toBe(false);
  });

  it('the claude profile installs the Hermes hook into the working copy, asks through it, and removes it after', async () => {
    const settingsFile = join(w.runnerHome, 'work', '.claude', 'settings.local.json');
    mkdirSync(join(w.runnerHome, 'work', '.claude'), { recursive: true });
    writeFileSync(settingsFile, JSON.stringify({ permissions: { allow: ['Read'] } }));
    const job = w.register('claude', 'run the tests');
    const requestId = await w.pendingRequest(job.id);
    const installed = JSON.parse(readFileSync(settingsFile, 'utf8'));
    expect(installed.permissions).toEqual({ allow: ['Read'] });
    // node on the one-file hook entry of this installation, not the shim and bin/hermes.js.
    expect(installed.hooks.PreToolUse.at(-1).hooks[0].command).toMatch(
      /node'? '?\/\S*\/dist\/agent\/hook\.cjs'? claude /,
    );
    const ask = JSON.parse((await w.waitForEvent(job.id, 'permission_required')).wire);
    expect(ask.data).toMatchObject({ tool: 'Bash', input: { command: 'npm test' } });

    await w.decide(job.id, requestId, 'approve');
    await w.waitForStatus(job.id, 'completed');
    await w.waitForSession(job.id, 'terminated');
    // The person's own settings are back as they were (cleanup follows the termination in the same pass).
    await waitFor(() => !readFileSync(settingsFile, 'utf8').includes('hermes-managed-hook'), {
      timeoutMs: 10_000,
      message: 'the Hermes hooks to be removed from .claude/settings.local.json',
    });
    expect(JSON.parse(readFileSync(settingsFile, 'utf8'))).toEqual({ permissions: { allow: ['Read'] } });
  });

  it('a job registered without auth runs with no token file, its events unsigned', async () => {
    const job = w.register('script', 'no auth here', { noAuth: true });
    await w.waitForStatus(job.id, 'completed');
    const events = w.events(job.id);
    expect(events.map((e) => e.event)).toEqual(['started', 'progress', 'completed']);
    expect(events.every((e) => !e.verified)).toBe(true);
  });

  it('cancel kills the session and marks it terminated', async () => {
    const job = w.register('sleeper', '');
    await w.waitForStatus(job.id, 'running');
    await w.waitForSession(job.id, 'running');
    await w.bot.bot!.runners.cancel(job.id, 'test:alice');
    expect(w.status(job.id)).toBe('cancelled');
    await w.waitForSession(job.id, 'terminated');
    expect(w.session(job.id)?.note).toBe('cancelled');
    expect(await w.tmux.hasSession(sessionNameFor(job.id))).toBe(false);
  });

  it('a demo job cancelled from the CLI (another process than the bot) has its session killed', async () => {
    const job = w.register('demo', 'cancel me from a shell');
    await w.pendingRequest(job.id);
    await w.waitForSession(job.id, 'running');
    const r = await spawnHermes(['jobs', 'cancel', job.id], { env: { HERMES_HOME: w.botHome } });
    expect(r.code, r.stderr).toBe(0);
    // Nobody told the runner but the bot's next dispatch pass, which finds the cancel owed.
    await w.waitForSession(job.id, 'terminated');
    expect(w.session(job.id)?.note).toBe('cancelled');
    expect(await w.tmux.hasSession(sessionNameFor(job.id))).toBe(false);
    expect(w.status(job.id)).toBe('cancelled');
    await waitFor(
      () =>
        (
          w.bot.bot!.db.prepare('SELECT cancel_answer AS a FROM jobs WHERE id = ?').get(job.id) as {
            a: string | null;
          }
        ).a === 'done',
      { timeoutMs: 10_000, message: "the runner's answer to the cancel" },
    );
  });

  it('a session killed by hand is marked stopped by reconcile and the bot receives the error', async () => {
    const job = w.register('sleeper', '');
    await w.waitForSession(job.id, 'running');
    await w.tmux.killSession(sessionNameFor(job.id));
    await w.waitForStatus(job.id, 'error');
    const err = await w.waitForEvent(job.id, 'error');
    expect(err.detail).toMatch(/session vanished/);
    expect(err.verified).toBe(true);
    expect(['stopped', 'terminated']).toContain(w.session(job.id)?.status);
  });

  it('an unknown profile, a missing program and a bad cwd each end in an error event the bot shows', async () => {
    const unknown = w.register('nope', 'x');
    const missing = w.register('missing', 'x');
    const badcwd = w.register('badcwd', 'x');
    for (const j of [unknown, missing, badcwd]) await w.waitForStatus(j.id, 'error');
    expect((await w.waitForEvent(unknown.id, 'error')).detail).toMatch(
      new RegExp(`^runner ${w.runnerId} has no profile nope \\(it offers: .*demo`),
    );
    expect((await w.waitForEvent(missing.id, 'error')).detail).toMatch(
      /program hermes-no-such-program is not installed on this runner/,
    );
    expect((await w.waitForEvent(badcwd.id, 'error')).detail).toMatch(
      /working directory \/nonexistent\/hermes-test-dir does not exist/,
    );
    for (const j of [unknown, missing, badcwd]) expect(w.session(j.id)).toBeUndefined();
  });

  it('drops forged, misaddressed and replayed commands (reason in the log) and refuses a second start', async () => {
    const spy = await testBus(w.broker.url);
    const seen = record(spy);
    const commands = topics.runnerCommands('hermes', w.runnerId);
    const results = topics.runnerResults('hermes', w.runnerId);
    await spy.subscribe([commands, results], 1);
    try {
      const job = w.register('sleeper', '');
      await w.waitForSession(job.id, 'running');
      const start = seen.received.find((m) => m.topic === commands && JSON.parse(m.text).job_id === job.id)!;
      const startSeq = JSON.parse(start.text).seq as number;

      // 1. The captured start, replayed as is.
      await spy.publish(commands, start.payload, { qos: 1 });
      await w.runner!.waitForOutput(new RegExp(`"reason":"replay".*"seq":${startSeq}`));

      // 2. Signed with a key that is not the runner's.
      const forged = buildRunnerCommand(
        'hermes',
        {
          runnerId: w.runnerId,
          runnerKey: 'x'.repeat(43),
          seq: 900_000,
          command: 'cancel',
          jobId: job.id,
          data: {},
        },
        systemClock,
        systemRandom,
      );
      await spy.publish(forged.topic, forged.wire, { qos: 1 });
      await w.runner!.waitForOutput('"reason":"bad_signature"');

      // 3. Right key, another runner's id, on this runner's topic.
      const other = buildRunnerCommand(
        'hermes',
        {
          runnerId: 'someone-else',
          runnerKey: w.runnerKey,
          seq: 900_001,
          command: 'cancel',
          jobId: job.id,
          data: {},
        },
        systemClock,
        systemRandom,
      );
      await spy.publish(commands, other.wire, { qos: 1 });
      await w.runner!.waitForOutput('"reason":"wrong_runner"');

      // None of them touched the session.
      expect(w.session(job.id)?.status).toBe('running');
      expect(w.runner!.output()).not.toMatch(new RegExp(`"job":"${job.id}".*"msg":"job cancelled`));

      // 4. A genuine second start for the same job (next seq of the bot's own counter): refused.
      const seq = new RunnersStore(w.bot.bot!.db, systemClock).nextCommandSeq(w.runnerId);
      const again = buildRunnerCommand(
        'hermes',
        {
          runnerId: w.runnerId,
          runnerKey: w.runnerKey,
          seq,
          command: 'start',
          jobId: job.id,
          data: { profile: 'sleeper', prompt: '' },
          token: w.bot.bot!.registry.tokenOf(job.id),
        },
        systemClock,
        systemRandom,
      );
      await spy.publish(commands, again.wire, { qos: 1 });
      await waitFor(
        () =>
          seen.received.some((m) => {
            if (m.topic !== results) return false;
            const r = JSON.parse(m.text);
            return r.data.command_seq === seq && r.data.status === 'rejected';
          }),
        { timeoutMs: 10_000, message: 'the second start to be rejected' },
      );
      const rejected = seen.received
        .filter((m) => m.topic === results)
        .map((m) => JSON.parse(m.text))
        .find((r) => r.data.command_seq === seq);
      expect(rejected.data.reason).toBe(`job ${job.id} was already started on runner ${w.runnerId}`);
      expect(w.session(job.id)?.status).toBe('running');
      await w.bot.bot!.runners.cancel(job.id, 'test');
    } finally {
      await spy.close();
    }
  });

  it('a restarted runner re-adopts its live sessions and follows their jobs to the end', async () => {
    const job = w.register('demo', 'survive a restart');
    const requestId = await w.pendingRequest(job.id);
    const before = w.runner!;
    await w.stopRunner();
    expect(before.output()).toContain('"runner offline"');
    await waitFor(() => w.bot.bot!.runners.list().some((r) => r.id === w.runnerId && r.state === 'offline'), {
      timeoutMs: 10_000,
      message: 'the bot to see the runner offline',
    });
    expect(await w.tmux.hasSession(sessionNameFor(job.id))).toBe(true);
    expect(w.session(job.id)?.status).toBe('running');

    await w.startRunner();
    // The agent still waits; the restarted runner keeps its session running.
    expect(w.session(job.id)?.status).toBe('running');
    await w.decide(job.id, requestId, 'approve');
    await w.waitForStatus(job.id, 'completed');
    // The runner saw the terminal event (its subscription was restored), so linger 0 ends the session.
    await w.waitForSession(job.id, 'terminated');
  });

  it('a job for an offline runner stays pending and is dispatched when the runner comes back', async () => {
    await w.stopRunner();
    await waitFor(() => w.bot.bot!.runners.list().some((r) => r.id === w.runnerId && r.state === 'offline'), {
      timeoutMs: 10_000,
      message: 'the bot to see the runner offline',
    });
    const job = w.register('demo', 'wait for me');
    await (w.bot.bot!.runners as Dispatcher).dispatchPending();
    expect(w.status(job.id)).toBe('pending');

    await w.startRunner();
    await w.waitForStatus(job.id, ['dispatched', 'running', 'waiting']);
    await w.decide(job.id, await w.pendingRequest(job.id), 'approve');
    await w.waitForStatus(job.id, 'completed');
  });
});
