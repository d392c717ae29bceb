/**
 * The static rules a runner reports with a job's start: checked (StartPolicyData), stored once per
 * job, and listed by `/hermes rules` / `hermes jobs rules` from the start, at 0 calls, with the
 * calls the hook reports counted against them.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { systemRandom } from '../../../src/clock.js';
import { jobPolicyOf, parseStartPolicy, saveJobPolicy } from '../../../src/jobs/job-policies.js';
import { jobRulesReport } from '../../../src/jobs/job-rules-report.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { HARDLINE_IDS } from '../../../src/policy/hardline.js';
import type { StartPolicyData } from '../../../src/protocol/schemas.js';
import { BOT_MIGRATIONS } from '../../../src/store/bot-schema.js';
import { migrate } from '../../../src/store/sqlite.js';

const clock = { now: () => Date.parse('2026-06-21T10:00:00Z') };

function world() {
  const db = new Database(':memory:');
  migrate(db, BOT_MIGRATIONS);
  const registry = new JobRegistry(db, clock, systemRandom);
  return { db, job: registry.register({ profile: 'claude', owner: 'o' }) };
}

const POLICY: StartPolicyData = {
  hardline: HARDLINE_IDS.filter((id) => id !== 'fork-bomb'),
  rules: [
    { rule: 'Bash(shutdown:*)', kind: 'deny', origin: 'hardline' },
    { rule: 'Bash(rm -rf:*)', kind: 'deny', origin: 'bot' },
    { rule: 'Bash(git push:*)', kind: 'ask', origin: 'profile' },
    { rule: 'Read(./**)', kind: 'allow', origin: 'profile' },
  ],
};

describe('parseStartPolicy', () => {
  it('takes what the runner sends and refuses granted rules, unknown kinds, missing fields, extra keys', () => {
    expect(parseStartPolicy(POLICY)).toEqual({ policy: POLICY });
    expect(parseStartPolicy({ ...POLICY, omitted: 3 })).toEqual({ policy: { ...POLICY, omitted: 3 } });
    const bad = (v: unknown) =>
      'error' in parseStartPolicy(v) ? (parseStartPolicy(v) as { error: string }).error : '';
    expect(bad({ hardline: [], rules: [{ rule: 'Bash', kind: 'allow', origin: 'granted' }] })).toMatch(
      /^policy\.rules\.0\.origin: /,
    );
    expect(bad({ hardline: [], rules: [{ rule: 'Bash', kind: 'maybe', origin: 'bot' }] })).toMatch(/kind/);
    expect(bad({ rules: [] })).toMatch(/^policy\.hardline: /);
    expect(bad({ ...POLICY, extra: 1 })).not.toBe('');
    expect(bad({ hardline: [], rules: [{ rule: '', kind: 'deny', origin: 'bot' }] })).not.toBe('');
    expect(bad('rules')).not.toBe('');
  });
});

describe('job_policies', () => {
  it('keeps the first report of a job; unreadable stored JSON reads as none', () => {
    const { db, job } = world();
    expect(jobPolicyOf(db, job.id)).toBeUndefined();
    const at = '2026-06-21T10:00:01.000Z';
    expect(saveJobPolicy(db, { jobId: job.id, runner: 'r1', reportedAt: at, policy: POLICY })).toBe(true);
    expect(
      saveJobPolicy(db, { jobId: job.id, runner: 'r2', reportedAt: at, policy: { hardline: [], rules: [] } }),
    ).toBe(false);
    expect(jobPolicyOf(db, job.id)).toEqual({ jobId: job.id, runner: 'r1', reportedAt: at, policy: POLICY });
    db.prepare('UPDATE job_policies SET policy = ? WHERE job_id = ?').run('{not json', job.id);
    expect(jobPolicyOf(db, job.id)).toBeUndefined();
  });
});

describe('jobRulesReport with the runner’s report', () => {
  it('lists every hardline, bot and profile rule in force from the start, at 0 calls', () => {
    const { db, job } = world();
    saveJobPolicy(db, {
      jobId: job.id,
      runner: 'r1',
      reportedAt: '2026-06-21T10:00:01.000Z',
      policy: POLICY,
    });
    // The bot's own config differs from what was sent: the runner's report is what is in force.
    const report = jobRulesReport(db, job.id, { allow: ['Bash(make:*)'] });
    expect(report.source).toEqual({ runner: 'r1', reported_at: '2026-06-21T10:00:01.000Z' });
    expect(report.hardline_removed).toEqual(['fork-bomb']);
    expect(report.omitted).toBe(0);
    expect(report.rules.map((r) => [r.origin, r.kind, r.rule, r.answered])).toEqual([
      ...POLICY.hardline.map((id) => ['hardline', 'deny', `hardline:${id}`, 0]),
      ['hardline', 'deny', 'Bash(shutdown:*)', 0],
      ['bot', 'deny', 'Bash(rm -rf:*)', 0],
      ['profile', 'ask', 'Bash(git push:*)', 0],
      ['profile', 'allow', 'Read(./**)', 0],
    ]);
    expect(report.rules.some((r) => r.reported)).toBe(false);
  });

  it('counts the calls the hook reports against them', () => {
    const { db, job } = world();
    saveJobPolicy(db, {
      jobId: job.id,
      runner: 'r1',
      reportedAt: '2026-06-21T10:00:01.000Z',
      policy: POLICY,
    });
    const auto = (decision: string, rule: string, origin: string, seq: number) =>
      db
        .prepare(
          `INSERT INTO events (job_id, seq, event, timestamp, received_at, detail, wire, digest, verified)
           VALUES (?, ?, 'progress', '2026-06-21T10:00:02Z', '2026-06-21T10:00:02Z', 'x', ?, 'd', 1)`,
        )
        .run(
          job.id,
          seq,
          JSON.stringify({ data: { auto: { decision, tool: 'Read', rule, origin, summary: 'x' } } }),
        );
    auto('allow', 'Read(./**)', 'profile', 1);
    auto('allow', 'Read(./**)', 'profile', 2);
    auto('deny', 'hardline:mkfs', 'hardline', 3);
    const counts = Object.fromEntries(jobRulesReport(db, job.id).rules.map((r) => [r.rule, r.answered]));
    expect(counts).toMatchObject({ 'Read(./**)': 2, 'hardline:mkfs': 1, 'Bash(rm -rf:*)': 0 });
  });

  it('without a report: the built-in hardline denies and the bot’s own rules, as before', () => {
    const { db, job } = world();
    const report = jobRulesReport(db, job.id, { deny: ['Bash(rm -rf:*)'] });
    expect(report.source).toBe('bot');
    expect(report.rules.map((r) => r.rule)).toEqual([
      ...HARDLINE_IDS.map((id) => `hardline:${id}`),
      'Bash(rm -rf:*)',
    ]);
  });
});
