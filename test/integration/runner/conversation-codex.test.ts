/**
 * `hermes run` with the Codex stand-in (test/fakes/codex, on a PATH of its own as `codex`)
 * against a real broker and the bot in process, as the built-in codex profile runs it where
 * `codex exec resume` exists: `codex exec --json` -> idle -> a reply resumes the thread id the
 * first turn printed -> done -> completed with the tokens summed. Where it does not, the started
 * event says why (the bot refuses a reply with it: test/unit/chat/conversation.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postFollowup } from '../../../runner/followup-mailbox.js';
import { eventsOf } from '../../../src/jobs/queries.js';
import type { BotHarness } from '../../helpers/bot-harness.js';
import { useBotOnBroker } from '../../helpers/bot-harness.js';
import { spawnHermes } from '../../helpers/cli.js';
import { codexOnPath } from '../../helpers/fake-codex.js';
import { waitFor } from '../../helpers/wait.js';

let h: BotHarness;
useBotOnBroker('file', (_b, harness) => {
  h = harness;
});

let codex: ReturnType<typeof codexOnPath>;
beforeEach(() => {
  codex = codexOnPath();
});
afterEach(() => codex.cleanup());

const calls = () =>
  readFileSync(join(codex.state, 'calls.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { argv: string[]; thread_id: string; resumed: boolean });

function startJob(env: Record<string, string>) {
  const { job, token } = h.register();
  const done = spawnHermes(['run', '--', join(codex.bin, 'codex'), 'exec', '--json', '--', 'fix the test'], {
    env: { ...h.agentEnv(job, token), HERMES_PROFILE: 'codex', FAKE_CODEX_DIR: codex.state, ...env },
    timeoutMs: 60_000,
  });
  const status = () => h.bot!.registry.require(job.id).status;
  const data = () =>
    eventsOf(h.bot!.db, job.id).map((e) => ({
      event: e.event,
      detail: e.detail,
      data: JSON.parse(e.wire).data,
    }));
  return { job, home: h.agentEnv(job, token).HERMES_HOME!, done, status, data };
}

describe('hermes run: a conversation with the Codex stand-in', () => {
  it('codex exec --json, idle, codex exec resume of the printed thread, done with the summed tokens', async () => {
    const j = startJob({
      HERMES_AGENT_OUTPUT: 'codex',
      HERMES_FOLLOWUP: 'resume',
      HERMES_RESUME_ARGV: JSON.stringify([
        join(codex.bin, 'codex'),
        'exec',
        '--json',
        'resume',
        '--',
        '{session_id}',
        '{prompt}',
      ]),
      HERMES_FOLLOWUP_POLL_MS: '50',
    });
    await waitFor(() => j.status() === 'idle', { timeoutMs: 20_000, message: 'idle after turn 1' });
    const thread = calls()[0]!.thread_id;
    expect(j.data().at(-1)).toMatchObject({
      event: 'progress',
      detail: 'Turn 1 finished: Done: fix the test',
      data: {
        state: 'idle',
        session_id: thread,
        usage: { input_tokens: 315, cache_read_tokens: 24448, output_tokens: 122 },
      },
    });

    postFollowup(j.home, j.job.id, 1, { kind: 'reply', text: '-n also the lint', by: 'slack:U0ALICE' });
    await waitFor(() => calls().length === 2 && j.status() === 'idle', {
      timeoutMs: 20_000,
      message: 'turn 2 ended',
    });
    expect(calls()[1]).toEqual({
      argv: ['exec', '--json', 'resume', '--', thread, '-n also the lint'],
      thread_id: thread,
      resumed: true,
    });

    postFollowup(j.home, j.job.id, 2, { kind: 'done', by: 'slack:U0ALICE' });
    const res = await j.done;
    expect(res.code).toBe(0);
    expect(j.data().at(-1)).toMatchObject({
      event: 'completed',
      data: { usage: { input_tokens: 630, output_tokens: 244, cost_usd: 0, turns: 2 } },
    });
    expect(res.stdout).toContain('$ bash -lc ls');
    expect(res.stdout).not.toContain('"thread.started"');
  });

  it('without follow-ups the started event says why, and the job completes after one turn', async () => {
    const reason = 'this Codex (codex-cli 0.36.0) has no `codex exec resume`';
    const j = startJob({ HERMES_FOLLOWUP_REASON: reason });
    expect((await j.done).code).toBe(0);
    expect(j.data().map((e) => e.event)).toEqual(['started', 'completed']);
    expect(j.data()[0]).toMatchObject({ event: 'started', data: { followup_reason: reason } });
    expect(j.data()[0]!.data.followup).toBeUndefined();
  });
});
