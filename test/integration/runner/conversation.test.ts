/**
 * `hermes run` as a conversation, the real binary with the Claude stand-in
 * (test/fakes/claude/fake-claude.mjs) against a real broker and the bot in
 * process: turn 1 -> idle -> a reply in the job's mailbox -> turn 2 resumes
 * the session turn 1 reported -> done -> completed with the summed cost; a
 * budget passed at a turn's end ends the job in error.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postFollowup } from '../../../runner/followup-mailbox.js';
import { eventsOf } from '../../../src/jobs/queries.js';
import type { BotHarness } from '../../helpers/bot-harness.js';
import { useBotOnBroker } from '../../helpers/bot-harness.js';
import { type CliResult, spawnHermes } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/wait.js';

const FAKE = join(import.meta.dirname, '../../fakes/claude/fake-claude.mjs');
const STREAM = ['-p', '--output-format', 'stream-json', '--verbose'];

let h: BotHarness;
useBotOnBroker('file', (_b, harness) => {
  h = harness;
});

let fakeDir: string;
beforeEach(() => {
  fakeDir = mkdtempSync(join(tmpdir(), 'fake-claude-'));
});
afterEach(() => rmSync(fakeDir, { recursive: true, force: true }));

const calls = () =>
  readFileSync(join(fakeDir, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { argv: string[]; session_id: string; resumed: boolean });

function startJob(extraEnv: Record<string, string> = {}) {
  const { job, token } = h.register();
  const env: Record<string, string> = {
    ...h.agentEnv(job, token),
    HERMES_PROFILE: 'claude',
    HERMES_AGENT_OUTPUT: 'claude',
    HERMES_FOLLOWUP: 'resume',
    HERMES_RESUME_ARGV: JSON.stringify([
      process.execPath,
      FAKE,
      ...STREAM,
      '--resume',
      '{session_id}',
      '--',
      '{prompt}',
    ]),
    HERMES_FOLLOWUP_POLL_MS: '50',
    FAKE_CLAUDE_DIR: fakeDir,
    ...extraEnv,
  };
  const done: Promise<CliResult> = spawnHermes(
    ['run', '--', process.execPath, FAKE, ...STREAM, '--', 'fix the test'],
    {
      env,
      timeoutMs: 60_000,
    },
  );
  const status = () => h.bot!.registry.require(job.id).status;
  const data = () =>
    eventsOf(h.bot!.db, job.id).map((e) => ({
      event: e.event,
      detail: e.detail,
      data: JSON.parse(e.wire).data,
    }));
  return { job, home: env.HERMES_HOME!, done, status, data };
}

describe('hermes run: a conversation with the Claude stand-in', () => {
  it('turn 1, idle, a reply resumes the session, done completes it with the summed cost', async () => {
    const j = startJob();
    await waitFor(() => j.status() === 'idle', { timeoutMs: 20_000, message: 'idle after turn 1' });
    const first = j.data();
    expect(first[0]).toMatchObject({ event: 'started', data: { followup: 'resume' } });
    const idle1 = first.at(-1)!;
    expect(idle1).toMatchObject({
      event: 'progress',
      detail: 'Turn 1 finished: Done: fix the test',
      data: { state: 'idle', turn: 1, usage: { cost_usd: 0.25, turns: 1, input_tokens: 100 } },
    });
    const sid = calls()[0]!.session_id;
    expect(idle1.data.session_id).toBe(sid);
    // While the turn ran, the tokens of its assistant message were reported (no cost yet).
    const tokens = (input: number, output: number, read: number, write: number) => ({
      input_tokens: input,
      output_tokens: output,
      cache_read_tokens: read,
      cache_write_tokens: write,
    });
    expect(first.filter((e) => e.data.tokens)).toMatchObject([
      {
        event: 'progress',
        detail: 'Turn 1: 60 in / 200 out · cache 0 read, 2000 written tokens so far',
        data: { tokens: tokens(60, 200, 0, 2000), turn: 1 },
      },
    ]);

    postFollowup(j.home, j.job.id, 7, {
      kind: 'reply',
      text: "now also fix the lint, don't rename",
      by: 'slack:U0ALICE',
    });
    await waitFor(() => calls().length === 2 && j.status() === 'idle' && j.data().at(-1)!.data.turn === 2, {
      timeoutMs: 20_000,
      message: 'turn 2 ended',
    });
    const second = calls()[1]!;
    expect(second.resumed).toBe(true);
    expect(second.argv).toEqual([...STREAM, '--resume', sid, '--', "now also fix the lint, don't rename"]);
    expect(
      j.data().some((e) => e.data.state === 'running' && e.data.turn === 2 && e.data.by === 'slack:U0ALICE'),
    ).toBe(true);
    // Turn 2's running counts start from turn 1's reported usage.
    expect(j.data().filter((e) => e.data.tokens && e.data.turn === 2)).toMatchObject([
      { data: { tokens: tokens(160, 700, 30_000, 4000) } },
    ]);

    postFollowup(j.home, j.job.id, 8, { kind: 'done', by: 'slack:U0ALICE' });
    const res = await j.done;
    expect(res.code).toBe(0);
    expect(j.status()).toBe('completed');
    const end = j.data().at(-1)!;
    expect(end.event).toBe('completed');
    expect(end.detail).toBe('claude agent finished after 2 turns (ended by slack:U0ALICE)');
    expect(end.data.usage).toMatchObject({
      cost_usd: 0.5,
      turns: 2,
      input_tokens: 200,
      output_tokens: 1000,
      agent_turns: 6,
    });
    // The pane showed text, not JSON.
    expect(res.stdout).toContain('Working on: fix the test');
    expect(res.stdout).not.toContain('"type":"result"');
  });

  it('a budget passed at the end of a turn ends the job in error, not resumed', async () => {
    const j = startJob({ HERMES_MAX_COST_USD: '0.3' });
    await waitFor(() => j.status() === 'idle', { timeoutMs: 20_000, message: 'idle after turn 1' });
    postFollowup(j.home, j.job.id, 1, { kind: 'reply', text: 'more', by: 'cli:me' });
    const res = await j.done;
    expect(res.code).toBe(1);
    expect(j.status()).toBe('error');
    const end = j.data().at(-1)!;
    expect(end.event).toBe('error');
    expect(end.detail).toMatch(/^budget exceeded: this job cost \$0\.5000, its limit is \$0\.3000/);
    expect(end.data).toMatchObject({ budget_exceeded: true, usage: { cost_usd: 0.5, turns: 2 } });
    expect(calls()).toHaveLength(2);
  });

  it('no reply within the idle time completes the job; without follow-ups it completes at once with its cost', async () => {
    const idle = startJob({ HERMES_IDLE_SECONDS: '1' });
    expect((await idle.done).code).toBe(0);
    expect(idle.data().at(-1)).toMatchObject({
      event: 'completed',
      detail: 'claude agent finished after 1 turn (no reply within 1 s)',
      data: { usage: { cost_usd: 0.25 } },
    });

    const once = startJob({ HERMES_FOLLOWUP: 'none' });
    expect((await once.done).code).toBe(0);
    // The one turn's running tokens, then its end.
    expect(once.data().map((e) => e.event)).toEqual(['started', 'progress', 'completed']);
    expect(once.data()[2]).toMatchObject({
      detail: 'Done: fix the test',
      data: { usage: { cost_usd: 0.25, turns: 1 } },
    });
  });

  it('an agent error exit ends the job in error with the usage it reported', async () => {
    const j = startJob({ FAKE_CLAUDE_EXIT: '3' });
    expect((await j.done).code).toBe(3);
    expect(j.data().at(-1)).toMatchObject({
      event: 'error',
      data: { exit_code: 3, usage: { cost_usd: 0.25 } },
    });
  });
});
