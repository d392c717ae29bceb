/**
 * The recorded session (shared/fixtures/claude-hooks/session-trace.jsonl, 201 PreToolUse calls of
 * one bug fix) replayed through a real runner and bot: `hermes runner` as a child process, paired
 * with the in-process bot over real Mosquitto, starts the job in tmux (private socket) under
 * `hermes run`. The job's profile has `hooks: claude` and no policy of its own, so it gets the
 * claude defaults; its agent is the Claude Code stand-in (test/fakes/claude-code/replay-agent.ts),
 * which plays every call in order through the hooks the runner installed in the working copy
 * (`.claude/settings.local.json`, the real `hermes hook claude`). The bot's config carries
 * `approvals.deny: ["Bash(rm -rf:*)"]` to the runner in the signed start command. A scripted
 * person answers each chat request with the rule Hermes proposes (`hermes jobs decide … approve
 * --rule`), or a plain approve when none is offered.
 *
 * Measured (2026-12-01, shared 2-core machine; 64 s, 98 s at load average 15): 16 chat requests answered by a person
 * (goal <= 20; 201 before rules), 48 requests decided by granted rules at the bot, 137 calls
 * decided in the hook (137 traces at the bot), both `rm -rf node_modules/.cache` calls denied
 * without a person.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTO_BY_PREFIX } from '../../../src/bot/auto-approve.js';
import { requestRules } from '../../../src/jobs/granted-rules.js';
import { permissionRequestsOf } from '../../../src/jobs/queries.js';
import { parseLossless, toPlain } from '../../../src/protocol/lossless-json.js';
import { runHermes, tempHome } from '../../helpers/cli.js';
import { hasMosquitto, hasTmux } from '../../helpers/system.js';
import { SHARED_DIR } from '../../helpers/vectors.js';
import { waitFor } from '../../helpers/wait.js';
import { type DaemonWorld, startWorld } from './daemon-harness.js';

const TRACE = join(SHARED_DIR, 'fixtures', 'claude-hooks', 'session-trace.jsonl');
const CALLS = readFileSync(TRACE, 'utf8').trim().split('\n').length;
const available = hasTmux() && hasMosquitto();
if (!available)
  console.warn('!! tmux or mosquitto missing: test/integration/runner/session-replay.test.ts is SKIPPED');

let w: DaemonWorld;
let t: { home: string; cleanup: () => void };
let work: string;
let out: string;

beforeAll(async () => {
  if (!available) return;
  t = tempHome('hermes-replay-');
  work = join(t.home, 'work');
  mkdirSync(work);
  execFileSync('git', ['init', '-q', work]);
  out = join(t.home, 'verdicts.jsonl');
  const agent = join(t.home, 'replay-agent.mjs');
  await build({
    entryPoints: [join(import.meta.dirname, '..', '..', 'fakes', 'claude-code', 'replay-agent.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: agent,
    logLevel: 'silent',
  });
  w = await startWorld({
    profiles: {
      replay: { argv: [process.execPath, agent, TRACE, out], hooks: 'claude', cwd: work },
    },
    botConfig: { approvals: { deny: ['Bash(rm -rf:*)'] } },
  });
  await w.startRunner();
}, 60_000);
afterAll(async () => {
  await w?.close();
  t?.cleanup();
});

describe.skipIf(!available)('replay of a recorded Claude Code session through a runner and the bot', () => {
  it('asks a person at most 20 times for 201 calls, never allows a denied one, traces every auto decision', async () => {
    expect(CALLS).toBe(201);
    const job = w.register('replay', 'fix the bug');
    const db = () => w.bot.bot!.db;

    // The person: answers every request that waits for a human, with the proposed rule if any.
    const answered = new Set<string>();
    let stop = false;
    const person = (async () => {
      while (!stop) {
        for (const req of permissionRequestsOf(db(), job.id, 'pending')) {
          if (answered.has(req.request_id)) continue;
          answered.add(req.request_id);
          const rule = requestRules(db(), job.id, req.request_id)?.proposed_rule;
          const args = ['jobs', 'decide', job.id, req.request_id, 'approve', '--by', 'alice'];
          const d = await runHermes([...args, ...(rule ? ['--rule', rule] : [])], {
            env: { HERMES_HOME: w.botHome, HERMES_MQTT_URL: w.broker.url },
          });
          if (d.code !== 0) throw new Error(`decide failed: ${d.stderr}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await w.waitForStatus(job.id, ['completed', 'error'], 200_000);
    } finally {
      stop = true;
      await person;
    }
    expect(w.status(job.id)).toBe('completed');

    const verdicts = existsSync(out)
      ? readFileSync(out, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { tool: string; command: string | null; verdict: string })
      : [];
    expect(verdicts).toHaveLength(CALLS);
    expect(verdicts.filter((v) => v.verdict !== 'allow' && v.verdict !== 'deny')).toEqual([]);
    // Both calls the bot's deny rule covers are denied (and nobody was asked about them).
    const rm = verdicts.filter((v) => v.command?.startsWith('rm -rf'));
    expect(rm.map((v) => `${v.command}: ${v.verdict}`)).toEqual([
      'rm -rf node_modules/.cache: deny',
      'rm -rf node_modules/.cache: deny',
    ]);

    const requests = permissionRequestsOf(db(), job.id);
    const byPerson = requests.filter((r) => r.decided_by === 'alice').length;
    const byGrant = requests.filter((r) => r.decided_by?.startsWith(`${AUTO_BY_PREFIX}:`)).length;
    expect(
      requests.filter((r) => r.tool === 'Bash' && JSON.parse(r.input).command?.startsWith('rm -rf')),
    ).toEqual([]);
    // Every decision the hook made on its own reaches the bot as a signed trace.
    const hookTraces = () =>
      w
        .events(job.id)
        .filter(
          (e) =>
            e.verified &&
            (toPlain(parseLossless(e.wire)) as { data?: { auto?: unknown } }).data?.auto !== undefined,
        ).length;
    await waitFor(() => hookTraces() >= CALLS - requests.length, {
      timeoutMs: 15_000,
      message: 'a trace at the bot for every decision made in the hook',
    });
    const byHook = hookTraces();
    console.log(
      `replay: ${CALLS} calls, ${byPerson} chat requests answered by a person, ${byGrant} requests ` +
        `decided by granted rules, ${byHook} decided in the hook (traced at the bot)`,
    );
    expect(byPerson).toBe(answered.size);
    expect(byPerson).toBeLessThanOrEqual(20);
    expect(byPerson + byGrant + byHook).toBe(CALLS);
  }, 240_000);
});
