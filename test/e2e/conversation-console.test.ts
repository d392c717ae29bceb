/**
 * A conversation with an agent through the console, in the real binary: `hermes up --console`
 * (embedded broker, in-process bot and local runner, tmux on a private socket) driven by lines on
 * its stdin, with the Claude stand-in (test/fakes/claude) as the `claude` profile's program in
 * stream-json mode and `followup: resume`. register -> turn 1 ends -> the channel is told it waits
 * -> `/hermes reply` typed at the console resumes the session turn 1 printed -> `/hermes done` ->
 * one completion announcement with the cost of both turns.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { tempHome } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { type HermesProcess, startHermes } from '../helpers/processes.js';
import { hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const FAKE_CLAUDE = join(import.meta.dirname, '../fakes/claude/fake-claude.mjs');
const STREAM = ['-p', '--output-format', 'stream-json', '--verbose'];

const canRun = hasTmux() || requireSystemDeps();
if (!canRun) console.warn('!! tmux missing: test/e2e/conversation-console.test.ts is SKIPPED');

/** The channel announcements about a job: each its 📣 line and the indented lines under it. */
function announcements(output: string, jobId: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  // Whole lines only: a pipe may have delivered part of the last one.
  for (const line of output.slice(0, output.lastIndexOf('\n')).split('\n')) {
    if (line.startsWith('📣 ')) {
      current = line.includes(`Job ${jobId} `) ? [line] : undefined;
      if (current) blocks.push(current);
    } else if (current && line.startsWith('   ')) current.push(line);
    else current = undefined;
  }
  return blocks;
}

interface FakeCall {
  argv: string[];
  session_id: string;
  resumed: boolean;
}

describe.skipIf(!canRun)('a conversation at the console of hermes up (real binary, real tmux)', () => {
  const t = tempHome('hermes-e2e-conv-');
  const socket = `hermes-e2e-conv-${process.pid}-${Date.now()}`;
  const fakeDir = join(t.home, 'fake-claude');
  let up: HermesProcess | undefined;
  const calls = (): FakeCall[] =>
    existsSync(join(fakeDir, 'calls.jsonl'))
      ? readFileSync(join(fakeDir, 'calls.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as FakeCall)
      : [];
  afterAll(async () => {
    await up?.stop('SIGKILL');
    try {
      execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
    } catch {
      // no server left: nothing to clean
    }
    t.cleanup();
  });

  it('idle after turn 1, /hermes reply resumes the session, /hermes done completes with the cost', {
    timeout: 150_000,
  }, async () => {
    mkdirSync(fakeDir);
    mkdirSync(join(t.home, 'work'));
    writeFileSync(
      join(t.home, 'config.yaml'),
      stringify({
        runner: {
          workdir: join(t.home, 'work'),
          profiles: {
            claude: {
              argv: [process.execPath, FAKE_CLAUDE, ...STREAM, '--', '{prompt}'],
              env: { FAKE_CLAUDE_DIR: fakeDir, HERMES_FOLLOWUP_POLL_MS: '50' },
              output: 'claude',
              followup: 'resume',
              resume_argv: [
                process.execPath,
                FAKE_CLAUDE,
                ...STREAM,
                '--resume',
                '{session_id}',
                '--',
                '{prompt}',
              ],
            },
          },
        },
      }),
    );
    const port = await freePort();
    up = startHermes(
      ['up', '--console', '--linger', '0', '--broker-port', String(port)],
      { HERMES_HOME: t.home, HERMES_TMUX_SOCKET: socket, HERMES_RECONCILE_SCHEDULE: '* * * * * *' },
      { stdin: 'pipe' },
    );
    const type = (line: string) => up!.child.stdin!.write(`${line}\n`);
    await up.waitForOutput('type /hermes help', 60_000);
    type('/hermes register claude "fix the flaky test"');
    await up.waitForOutput(/Registered (j-[a-z0-9]+)/, 30_000);
    const jobId = /Registered (j-[a-z0-9]+)/.exec(up.output())![1]!;

    // Turn 1 ends: the channel is told once, with the agent's final text; the card waits.
    const idleNotice = (turn: number) =>
      new RegExp(`📣 .*Job ${jobId} finished turn ${turn} · waiting for you\\n +Done: `);
    await up.waitForOutput(idleNotice(1), 60_000);
    expect(up.output()).toMatch(new RegExp(`${idleNotice(1).source}fix the flaky test\\n`));
    await up.waitForOutput(new RegExp(`\\[${jobId}\\] ↻ .*waiting for you`), 30_000);
    const [first] = calls();
    expect(first).toMatchObject({ resumed: false, argv: [...STREAM, '--', 'fix the flaky test'] });

    // The reply typed at the console starts turn 2 with the session turn 1 printed.
    const reply = "now also fix the lint, don't rename";
    type(`/hermes reply ${jobId} ${reply}`);
    await up.waitForOutput(`(you) Sent to ${jobId}; its next turn starts now.`, 30_000);
    await waitFor(() => calls().length >= 2, { timeoutMs: 60_000, message: 'turn 2 started' });
    expect(calls()[1]).toEqual({
      argv: [...STREAM, '--resume', first!.session_id, '--', reply],
      cwd: expect.any(String),
      session_id: first!.session_id,
      resumed: true,
    });
    await up.waitForOutput(idleNotice(2), 60_000);

    type(`/hermes done ${jobId}`);
    const completions = () => announcements(up!.output(), jobId).filter((b) => /\bcompleted\b/.test(b[0]!));
    await waitFor(() => completions().some((b) => b.some((l) => l.includes('Cost:'))), {
      timeoutMs: 60_000,
      message: `the completion of ${jobId} announced with its cost`,
    });
    // Counted once the process is gone: a second announcement would be in the output by then.
    type('quit');
    expect((await up.exited).code).toBe(0);
    const [announced, ...more] = completions();
    expect(more).toEqual([]);
    const text = announced!.join('\n');
    // Two turns of the stand-in at $0.25 and 100 input / 500 output tokens each.
    expect(text).toContain('Cost: $0.5000 · 200 in / 1000 out');
    expect(text).toContain('2 turns');
    expect(text).toContain('ended by console:you');
    // Besides it, the channel heard of the job only at the end of each turn.
    expect(announcements(up.output(), jobId).map((b) => b[0])).toEqual([
      expect.stringMatching(/finished turn 1 · waiting for you$/),
      expect.stringMatching(/finished turn 2 · waiting for you$/),
      announced![0],
    ]);
    expect(calls()).toHaveLength(2);
  });
});
