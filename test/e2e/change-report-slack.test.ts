/**
 * The change of a worktree job through Slack, every part its own process: `hermes bot` on the
 * Slack stand-in, `hermes runner` with tmux on a private socket and a real git repository in
 * runner.repos. The agent stand-in (test/fakes/agent/worktree-agent.mjs) commits a file and
 * leaves a change uncommitted in the job's worktree; at the job's end the thread gets the table
 * (files with +/-, the commit, what is not committed) and the patch as a file, and `/hermes diff`
 * shows the change again on demand. The main checkout is never touched.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLACK } from '../fakes/slack/index.js';
import { botJob, botRunnerState } from '../helpers/hermes-state.js';
import { type HermesWorld, startWorld } from '../helpers/hermes-world.js';
import { blockTexts, posts, slashRegister } from '../helpers/slack-chat.js';
import { hasTmux, requireSystemDeps } from '../helpers/system.js';
import { waitFor } from '../helpers/wait.js';

const AGENT = join(import.meta.dirname, '../fakes/agent/worktree-agent.mjs');
const IDENTITY = {
  GIT_AUTHOR_NAME: 'Agent',
  GIT_AUTHOR_EMAIL: 'agent@example.invalid',
  GIT_COMMITTER_NAME: 'Agent',
  GIT_COMMITTER_EMAIL: 'agent@example.invalid',
};

const canRun = hasTmux() || requireSystemDeps();
if (!canRun) console.warn('!! tmux missing: test/e2e/change-report-slack.test.ts is SKIPPED');

describe.skipIf(!canRun)("a worktree job's change in its Slack thread, with a real runner and git", () => {
  let w: HermesWorld;
  let repo = '';
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repo, env: { ...process.env, ...IDENTITY }, encoding: 'utf8' });

  beforeAll(async () => {
    w = await startWorld({
      // The job's session (and worktree) stays a minute, so /hermes diff reads the live worktree.
      lingerSeconds: 60,
      runnerEnv: IDENTITY,
      runnerConfig: (home) => {
        repo = join(home, 'repos', 'app');
        mkdirSync(repo, { recursive: true });
        git('init', '-q', '-b', 'main');
        writeFileSync(join(repo, 'README.md'), '# app\n');
        git('add', 'README.md');
        git('commit', '-q', '-m', 'init');
        return { repos: { app: { path: repo, base: 'main' } }, worktrees_dir: join(home, 'worktrees') };
      },
      profiles: {
        agent: { argv: [process.execPath, AGENT], env: IDENTITY, worktree: true, repo: 'app' },
      },
    });
    await w.startBot();
    await w.startRunner();
    await waitFor(() => botRunnerState(w.botHome, w.runnerId) === 'online', {
      timeoutMs: 30_000,
      message: 'the bot to record the runner online',
    });
  }, 180_000);
  afterAll(async () => {
    await w?.close();
  });

  it('the table (files, +/-, commits, uncommitted) and the patch at the end; /hermes diff on demand', {
    timeout: 180_000,
  }, async () => {
    const { jobId, ts } = await slashRegister(w.slack, `register agent --runner ${w.runnerId} add a feature`);
    await waitFor(() => botJob(w.botHome, jobId)?.status === 'completed', {
      timeoutMs: 60_000,
      message: `${jobId} completed`,
    }).catch(w.explain(jobId));

    const inThread = (summary: string) =>
      posts(w.slack).filter((c) => c.args.thread_ts === ts && String(c.args.text) === summary);
    await waitFor(() => inThread(`${jobId}: change`).length === 1, {
      timeoutMs: 30_000,
      message: 'the change report in the thread',
    }).catch(w.explain(jobId));
    const table = blockTexts(inThread(`${jobId}: change`)[0]!.args.blocks).join('\n');
    expect(table).toMatch(/README\.md\s+\+1\s+-0/);
    expect(table).toMatch(/src\/feature\.ts\s+\+3\s+-0/);
    expect(table).toContain(
      `2 files changed, +4 -0; 1 commit on hermes/${jobId} (from main); 1 file not committed`,
    );

    // The patch, as a file in the same thread.
    const shared = await w.slack.api.waitForCall('files.completeUploadExternal', () => true, 30_000);
    expect(shared.args).toMatchObject({ channel_id: SLACK.channelId, thread_ts: ts });
    const [file] = w.slack.api.workspace.sharedFiles(SLACK.channelId, ts);
    const patch = file!.bytes!.toString();
    expect(file!.filename).toBe(`${jobId}.patch`);
    expect(patch).toContain('+export const feature = 1;');
    expect(patch).toContain('+a line the agent added');

    // On demand, while the worktree lingers.
    await w.slack.socket.send('slash_commands', w.slack.payloads.slashCommand({ text: `diff ${jobId}` }), {
      timeoutMs: 30_000,
    });
    await waitFor(() => inThread(`${jobId}: change so far`).length === 1, {
      timeoutMs: 30_000,
      message: '/hermes diff in the thread',
    }).catch(w.explain(jobId));
    const again = blockTexts(inThread(`${jobId}: change so far`)[0]!.args.blocks).join('\n');
    expect(again).toMatch(/src\/feature\.ts\s+\+3\s+-0/);
    expect(again).toContain('1 file not committed');

    // The main checkout is as it was: the agent worked in its own worktree and branch.
    expect(git('status', '--porcelain')).toBe('');
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('# app\n');
    expect(git('log', '--format=%s', `hermes/${jobId}`).trim().split('\n')).toEqual(['add feature', 'init']);
  });
});
