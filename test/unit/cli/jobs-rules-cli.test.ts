/** `hermes jobs decide … --rule` and `hermes jobs rules`, through the real binary. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock, systemRandom } from '../../../src/clock.js';
import { loadConfig } from '../../../src/config/load.js';
import { grantedRulesOf } from '../../../src/jobs/granted-rules.js';
import { JobRegistry } from '../../../src/jobs/registry.js';
import { silentLogger } from '../../../src/log.js';
import { fromPlain, type JsonObject } from '../../../src/protocol/lossless-json.js';
import { signEnvelope } from '../../../src/protocol/signing.js';
import { encodeWire } from '../../../src/protocol/wire.js';
import { evaluateMessage } from '../../../src/relay/pipeline.js';
import { openBotDb } from '../../../src/store/bot-db.js';
import { spawnHermes, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home, cleanup } = tempHome('hermes-rules-cli-'));
});
afterEach(() => cleanup());

const NO_BROKER = ['--mqtt', 'mqtt://127.0.0.1:9'];
const hermes = (args: string[]) => spawnHermes(args, { env: { HERMES_HOME: home } });

function withDb<T>(fn: (registry: JobRegistry) => T): T {
  const db = openBotDb(loadConfig({ env: { HERMES_HOME: home } }), silentLogger);
  try {
    return fn(new JobRegistry(db, systemClock, systemRandom));
  } finally {
    db.close();
  }
}

/** A job with permission requests r-1… for the given events' data, as the relay stores them. */
function jobWith(...events: Array<Record<string, unknown>>): string {
  return withDb((registry) => {
    const job = registry.register({ profile: 'demo', owner: 'test' });
    const settings = {
      maxPayloadBytes: 65536,
      clockSkewSeconds: 300,
      replayWindow: 1000,
      approvalTimeoutSeconds: 600,
    };
    events.forEach((e, i) => {
      const env = fromPlain({
        schema_version: 1,
        job_id: job.id,
        seq: i + 1,
        event: e.request_id ? 'permission_required' : 'progress',
        timestamp: new Date().toISOString(),
        data: e,
      }) as JsonObject;
      const wire = encodeWire(signEnvelope(env, registry.tokenOf(job.id)!));
      expect(evaluateMessage(registry, settings, systemClock, job.id, Buffer.from(wire)).verdict).toBe(
        'accepted',
      );
    });
    return job.id;
  });
}

describe('hermes jobs decide --rule', () => {
  it('approves and grants the rule; --scope job grants the tool name; a bad rule decides nothing', async () => {
    const id = jobWith(
      { request_id: 'r-1', tool: 'Bash', input: { command: 'npm run lint' } },
      { request_id: 'r-2', tool: 'Write', input: { file_path: 'a' } },
      { request_id: 'r-3', tool: 'Bash', input: { command: 'rm x' } },
    );
    const bad = await hermes(['jobs', 'decide', id, 'r-1', 'approve', '--rule', 'Bash(npm', ...NO_BROKER]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('rule "Bash(npm": missing the closing parenthesis');
    const ok = await hermes([
      'jobs',
      'decide',
      id,
      'r-1',
      'approve',
      '--by',
      'al',
      '--rule',
      'Bash(npm run lint:*)',
      ...NO_BROKER,
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('r-1: approved by al; allow Bash(npm run lint:*) for the rest of the job\n');
    expect(
      (await hermes(['jobs', 'decide', id, 'r-2', 'approve', '--by', 'al', '--scope', 'job', ...NO_BROKER]))
        .code,
    ).toBe(0);
    expect(
      (
        await hermes([
          'jobs',
          'decide',
          id,
          'r-3',
          'deny',
          '--by',
          'bo',
          '--rule',
          'Bash(rm:*)',
          ...NO_BROKER,
        ])
      ).code,
    ).toBe(0);
    expect(withDb((r) => grantedRulesOf(r.db, id))).toMatchObject([
      { kind: 'allow', rule: 'Bash(npm run lint:*)', granted_by: 'al', request_id: 'r-1' },
      { kind: 'allow', rule: 'Write', granted_by: 'al', request_id: 'r-2' },
      { kind: 'deny', rule: 'Bash(rm:*)', granted_by: 'bo', request_id: 'r-3' },
    ]);
  });
});

describe('hermes jobs rules', () => {
  it('lists the rules by origin with counts, as text and --json', async () => {
    const id = jobWith(
      { auto: { decision: 'allow', tool: 'Read', rule: 'Read(./**)', origin: 'profile', summary: 'a' } },
      {
        auto: {
          decision: 'allow',
          tool: 'Bash',
          rule: 'Bash(git status:*), Bash(ls:*)',
          origin: 'profile',
          summary: 'b',
        },
      },
      { request_id: 'r-1', tool: 'Bash', input: { command: 'npm test' } },
    );
    expect(
      (
        await hermes([
          'jobs',
          'decide',
          id,
          'r-1',
          'approve',
          '--by',
          'al',
          '--rule',
          'Bash(npm test:*)',
          ...NO_BROKER,
        ])
      ).code,
    ).toBe(0);
    const json = await hermes(['jobs', 'rules', id, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { job_id: string; rules: Array<Record<string, unknown>> };
    expect(report.job_id).toBe(id);
    expect(report.rules.filter((r) => r.origin !== 'hardline')).toEqual([
      { origin: 'profile', kind: 'allow', rule: 'Bash(git status:*)', answered: 1, reported: true },
      { origin: 'profile', kind: 'allow', rule: 'Bash(ls:*)', answered: 1, reported: true },
      { origin: 'profile', kind: 'allow', rule: 'Read(./**)', answered: 1, reported: true },
      {
        origin: 'granted',
        kind: 'allow',
        rule: 'Bash(npm test:*)',
        answered: 0,
        granted_by: 'al',
        granted_at: expect.stringMatching(/Z$/),
      },
    ]);
    expect(report.rules.filter((r) => r.origin === 'hardline').map((r) => r.rule)).toContain(
      'hardline:fork-bomb',
    );
    const text = await hermes(['jobs', 'rules', id]);
    expect(text.stdout).toContain('granted\n  allow Bash(npm test:*)  0 calls  by al at ');
    expect(text.stdout).toContain('profile (reported by the hook)\n  allow Bash(git status:*)  1 call\n');
    expect((await hermes(['jobs', 'rules', 'j-nope'])).code).not.toBe(0);
  });
});
