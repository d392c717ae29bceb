/**
 * `/hermes rules` of a fresh job lists every rule in force from the start: a real `hermes runner`
 * (child process, tmux on a private socket) reports the job's static rules (its hardline denies
 * and additions, the bot's `approvals` it received, the profile's `policy`) in the signed
 * accepted start result; the in-process bot on real Mosquitto stores them, and the console chat
 * and `hermes jobs rules` show them at 0 calls before the agent made any.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin } from '../../../adapters/console/plugin.js';
import { jobPolicyOf } from '../../../src/jobs/job-policies.js';
import type { JobRulesReport } from '../../../src/jobs/job-rules-report.js';
import { runHermes } from '../../helpers/cli.js';
import { hasMosquitto, hasTmux } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';
import { type DaemonWorld, startWorld } from './daemon-harness.js';

const available = hasTmux() && hasMosquitto();
if (!available)
  console.warn('!! tmux or mosquitto missing: test/integration/runner/job-rules.test.ts is SKIPPED');

let w: DaemonWorld;
const input = new PassThrough();
const output = new PassThrough();
let printed = '';
output.on('data', (c: Buffer) => {
  printed += c.toString('utf8');
});

beforeAll(async () => {
  if (!available) return;
  w = await startWorld({
    profiles: {
      // An agent that makes no tool call: whatever is listed comes from the start alone.
      guarded: {
        argv: ['sleep', '600'],
        hooks: 'claude',
        policy: {
          deny: ['Bash(git push:*)'],
          ask: ['Bash(npm publish:*)'],
          allow: ['Read(./**)', 'Bash(npm test)'],
        },
      },
    },
    runnerConfig: { hardline_add: ['Bash(shutdown:*)'], hardline_remove: ['fork-bomb'] },
    botConfig: { approvals: { deny: ['Bash(rm -rf:*)'] } },
    botPlugins: [consolePlugin({ input, output, tickMs: 50 })],
  });
  await w.startRunner();
}, 60_000);
afterAll(async () => {
  input.end();
  await w?.close();
});

describe.skipIf(!available)('the rules of a fresh job', () => {
  it('/hermes rules and hermes jobs rules list hardline, bot and profile rules at 0 calls', async () => {
    const job = w.register('guarded', 'wait');
    await w.waitForSession(job.id, 'running');
    await waitFor(() => jobPolicyOf(w.bot.bot!.db, job.id) !== undefined, {
      timeoutMs: 20_000,
      message: "the runner's report of the job's rules at the bot",
    });

    input.write(`/hermes rules ${job.id}\n`);
    await waitFor(() => printed.includes('Granted in chat for this job'), {
      timeoutMs: 10_000,
      message: `the console to show the rules of ${job.id} (it shows: ${printed.slice(-2000)})`,
    });
    const shown = printed.slice(printed.lastIndexOf(`Rules of ${job.id}`));
    expect(shown).toContain(`Hardline denies (on runner ${w.runnerId}`);
    // The console (not a terminal here) prints code spans as bare text.
    expect(shown).toMatch(/deny rm-root-or-home, mkfs.*Bash\(shutdown:\*\)/);
    expect(shown).toContain('removed on this runner (runner.hardline_remove): fork-bomb');
    expect(shown).toContain('deny Bash(rm -rf:*) · no calls');
    expect(shown).toContain(`Profile rules (of the job's profile on runner ${w.runnerId})`);
    for (const line of [
      'deny Bash(git push:*) · no calls',
      'ask Bash(npm publish:*) · no calls',
      'allow Read(./**) · no calls',
      'allow Bash(npm test) · no calls',
    ])
      expect(shown).toContain(line);

    const cli = await runHermes(['jobs', 'rules', job.id, '--json'], { env: { HERMES_HOME: w.botHome } });
    expect(cli.code, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as JobRulesReport;
    expect(report.source).toMatchObject({ runner: w.runnerId });
    expect(report.hardline_removed).toEqual(['fork-bomb']);
    const lines = report.rules.map((r) => `${r.origin} ${r.kind} ${r.rule} ${r.answered}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'hardline deny hardline:rm-root-or-home 0',
        'hardline deny Bash(shutdown:*) 0',
        'bot deny Bash(rm -rf:*) 0',
        'profile deny Bash(git push:*) 0',
        'profile allow Read(./**) 0',
        'profile allow Bash(npm test) 0',
      ]),
    );
    expect(lines.some((l) => l.includes('fork-bomb'))).toBe(false);
    // fork-bomb is named only as removed, never among the denies in force.
    expect(shown.split('\n').find((l) => l.includes('deny rm-root-or-home'))).not.toContain('fork-bomb');
    await w.bot.bot!.runners.cancel(job.id, 'test');
  }, 60_000);
});
