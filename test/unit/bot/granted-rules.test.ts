/**
 * Rules granted in chat for a job: judged against each new request before a person is asked
 * (deny > ask > allow, only what the hook left uncovered), recorded, audited, and the rule the
 * "Approve <rule> for this job" button offers.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DECISION_AUDIT_FILE, judgeRequest } from '../../../src/bot/auto-approve.js';
import { CHAT_AUDIT_FILE } from '../../../src/chat/attach.js';
import {
  grantedPolicyRules,
  grantedRulesOf,
  grantRule,
  requestRules,
} from '../../../src/jobs/granted-rules.js';
import { permissionRequest } from '../../../src/jobs/queries.js';
import type { PolicyRule } from '../../../src/policy/rule.js';
import { parseRule } from '../../../src/policy/rule.js';
import { botFixture } from './support.js';

const ctx = { cwd: '/work/app', home: '/home/agent' };
const granted = (allow: string[], deny: string[] = []): PolicyRule[] => [
  ...allow.map((r) => ({
    rule: parseRule(r),
    kind: 'allow' as const,
    origin: 'granted' as const,
    granted_by: 'slack:U1',
  })),
  ...deny.map((r) => ({
    rule: parseRule(r),
    kind: 'deny' as const,
    origin: 'granted' as const,
    granted_by: 'slack:U2',
  })),
];
const bash = (command: string) => ({ tool: 'Bash', input: { command } });

describe('judgeRequest', () => {
  it('a granted allow answers a call it covers; a granted deny beats it', () => {
    const g = granted(['Bash(npm test:*)'], ['Bash(npm test -- --update:*)']);
    expect(judgeRequest(g, bash('npm test -- x'), undefined, ctx)).toMatchObject({ decision: 'allow' });
    expect(judgeRequest(g, bash('npm test -- --update'), undefined, ctx).decision).toBe('deny');
  });

  it('only the commands the hook left uncovered need a granted rule', () => {
    const g = granted(['Bash(npm run build:*)']);
    const call = bash('npm run build && npm test');
    // Without hook data, `npm test` is uncovered: a person answers, and no single rule is offered for two commands.
    expect(judgeRequest(g, call, undefined, ctx)).toMatchObject({
      decision: undefined,
      proposed: 'Bash(npm test:*)',
    });
    expect(
      judgeRequest(g, call, { uncovered: ['npm run build'], reason: 'x', cwd: ctx.cwd }, ctx),
    ).toMatchObject({ decision: 'allow', rules: [{ rule: { raw: 'Bash(npm run build:*)' } }] });
    // Nothing granted covers what the hook left open: the proposal is for that command only.
    expect(judgeRequest([], call, { uncovered: ['npm run build'] }, ctx).proposed).toBe(
      'Bash(npm run build:*)',
    );
  });

  it('a static ask rule makes a person answer, whatever was granted, and no rule is offered', () => {
    const g = granted(['Bash(git push:*)']);
    const j = judgeRequest(
      g,
      bash('git push origin x'),
      { rule: 'Bash(git push:*)', origin: 'bot', uncovered: ['git push origin x'] },
      ctx,
    );
    expect(j).toMatchObject({ decision: undefined, proposed: undefined });
  });

  it('doubts (substitutions) are never allowed from granted rules', () => {
    const g = granted(['Bash(npm test:*)', 'Bash(rm:*)']);
    expect(judgeRequest(g, bash('npm test $(rm x)'), { uncovered: [] }, ctx).decision).toBeUndefined();
  });

  it('a granted bare Bash never allows a hardline command; a granted deny still denies it', () => {
    expect(judgeRequest(granted(['Bash']), bash('rm -rf /'), undefined, ctx)).toMatchObject({
      decision: undefined,
      proposed: undefined,
    });
    expect(judgeRequest(granted(['Bash'], ['Bash(rm:*)']), bash('rm -rf /'), undefined, ctx).decision).toBe(
      'deny',
    );
  });

  it('proposals: folder for edits, tool name for others', () => {
    expect(
      judgeRequest([], { tool: 'Edit', input: { file_path: '/work/app/src/chat/x.ts' } }, undefined, ctx)
        .proposed,
    ).toBe('Edit(src/chat/**)');
    expect(judgeRequest([], { tool: 'TodoWrite', input: {} }, undefined, ctx).proposed).toBe('TodoWrite');
    expect(judgeRequest([], bash('npm test && rm x'), undefined, ctx).proposed).toBeUndefined();
  });
});

let f: ReturnType<typeof botFixture>;
beforeEach(() => {
  f = botFixture();
});
afterEach(() => f.close());

function chatJob() {
  return f.registry.register({
    profile: 'demo',
    owner: 'slack:U1',
    cwd: '/work/app',
    chat: { platform: 'slack', channel: 'C1', thread: null },
  });
}

describe('bot core: granted rules', () => {
  it('an approval with a rule grants it: later calls it covers are approved, recorded and audited; others wait', async () => {
    expect(DECISION_AUDIT_FILE).toBe(CHAT_AUDIT_FILE);
    const job = chatJob();
    await f.event(job.id, 'permission_required', {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'npm test' },
    });
    expect(requestRules(f.db, job.id, 'r-1')?.proposed_rule).toBe('Bash(npm test:*)');
    await f.core.decisions.decide({
      jobId: job.id,
      requestId: 'r-1',
      decision: 'approve',
      by: 'slack:U1',
      grant: { kind: 'allow', rule: 'Bash(npm test:*)' },
    });
    expect(grantedRulesOf(f.db, job.id)).toMatchObject([
      { kind: 'allow', rule: 'Bash(npm test:*)', granted_by: 'slack:U1', request_id: 'r-1' },
    ]);
    await f.event(job.id, 'permission_required', {
      request_id: 'r-2',
      tool: 'Bash',
      input: { command: 'npm test -- relay' },
    });
    await f.event(job.id, 'permission_required', {
      request_id: 'r-3',
      tool: 'Bash',
      input: { command: 'npm publish' },
    });
    expect(permissionRequest(f.db, job.id, 'r-2')).toMatchObject({
      status: 'approved',
      decided_by: 'hermes:auto:slack:U1',
      reason: 'allowed by Bash(npm test:*) (granted by slack:U1)',
    });
    expect(requestRules(f.db, job.id, 'r-2')).toMatchObject({
      auto_decision: 'allow',
      auto_rules: '["Bash(npm test:*)"]',
    });
    expect(permissionRequest(f.db, job.id, 'r-3')?.status).toBe('pending');
    const wire = JSON.parse(f.retained(job.id).find((p) => p.topic.endsWith('/r-2'))!.payload);
    expect(wire.data).toMatchObject({ decision: 'approve', decided_by: 'hermes:auto:slack:U1' });
    expect(f.decisionAudit.records).toEqual([
      {
        received_at: new Date(f.clock.now()).toISOString(),
        topic: 'chat/hermes',
        verdict: 'accepted',
        action: 'decide',
        actor: 'hermes:auto:slack:U1',
        channel: 'C1',
        job_id: job.id,
        request_id: 'r-2',
        decision: 'approve',
        scope: 'request',
        tool: 'Bash',
        rules: ['Bash(npm test:*)'],
        granted_by: ['slack:U1'],
        detail: 'allowed by Bash(npm test:*) (granted by slack:U1)',
      },
    ]);
  });

  it('a granted deny rule denies at once, naming the rule for the agent', async () => {
    const job = chatJob();
    f.core.decisions.grant({
      jobId: job.id,
      kind: 'deny',
      rule: 'Bash(rm:*)',
      by: 'slack:U2',
      at: '2026-06-21T10:00:00.000Z',
    });
    await f.event(job.id, 'permission_required', {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'rm -r build' },
    });
    expect(permissionRequest(f.db, job.id, 'r-1')).toMatchObject({
      status: 'denied',
      decided_by: 'hermes:auto:slack:U2',
      reason: 'denied by Bash(rm:*) (granted by slack:U2)',
    });
    expect(f.decisionAudit.records[0]).toMatchObject({ decision: 'deny', rules: ['Bash(rm:*)'] });
  });

  it('a grant answers the waiting requests it covers', async () => {
    const job = chatJob();
    await f.event(job.id, 'permission_required', {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'npm run lint' },
    });
    await f.event(job.id, 'permission_required', {
      request_id: 'r-2',
      tool: 'Bash',
      input: { command: 'npm run lint -- --fix' },
    });
    await f.core.decisions.decide({
      jobId: job.id,
      requestId: 'r-1',
      decision: 'approve',
      by: 'slack:U1',
      grant: { kind: 'allow', rule: 'Bash(npm run lint:*)' },
    });
    await new Promise((r) => setImmediate(r));
    expect(permissionRequest(f.db, job.id, 'r-2')).toMatchObject({
      status: 'approved',
      decided_by: 'hermes:auto:slack:U1',
    });
  });

  it('a bad rule refuses the decision with parseRule’s message; nothing is recorded', async () => {
    const job = chatJob();
    await f.event(job.id, 'permission_required', {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'ls' },
    });
    await expect(
      f.core.decisions.decide({
        jobId: job.id,
        requestId: 'r-1',
        decision: 'approve',
        by: 'slack:U1',
        grant: { kind: 'allow', rule: 'Bash(npm' },
      }),
    ).rejects.toThrow(/rule "Bash\(npm": missing the closing parenthesis/);
    expect(permissionRequest(f.db, job.id, 'r-1')?.status).toBe('pending');
    expect(grantedRulesOf(f.db, job.id)).toEqual([]);
  });

  it('a static ask rule from the hook keeps a person in the loop even with a matching grant', async () => {
    const job = chatJob();
    grantRule(f.db, { jobId: job.id, kind: 'allow', rule: 'Bash', by: 'slack:U1', at: 'x' });
    await f.event(job.id, 'permission_required', {
      request_id: 'r-1',
      tool: 'Bash',
      input: { command: 'git push' },
      policy: {
        decision: 'ask',
        reason: 'ask rule Bash(git push:*) (bot)',
        rule: 'Bash(git push:*)',
        origin: 'bot',
        uncovered: ['git push'],
        cwd: '/work/app',
      },
    });
    expect(permissionRequest(f.db, job.id, 'r-1')?.status).toBe('pending');
    expect(requestRules(f.db, job.id, 'r-1')).toMatchObject({
      ask_rule: 'Bash(git push:*)',
      proposed_rule: null,
    });
  });

  it('a pre-rules "approve for this job" row keeps working as a granted bare-tool rule', async () => {
    const job = chatJob();
    await f.event(job.id, 'permission_required', {
      request_id: 'r-1',
      tool: 'Write',
      input: { file_path: '/work/app/a' },
    });
    // As a bot before granted rules recorded it.
    f.db
      .prepare(
        `UPDATE permission_requests SET status = 'approved', decided_by = 'slack:U9', decided_at = '2026-06-20T00:00:00.000Z', approve_scope = 'job' WHERE request_id = 'r-1'`,
      )
      .run();
    expect(grantedPolicyRules(grantedRulesOf(f.db, job.id))).toMatchObject([
      { rule: { raw: 'Write' }, kind: 'allow', origin: 'granted', granted_by: 'slack:U9' },
    ]);
    await f.event(job.id, 'permission_required', {
      request_id: 'r-2',
      tool: 'Write',
      input: { file_path: '/tmp/b' },
    });
    expect(permissionRequest(f.db, job.id, 'r-2')).toMatchObject({
      status: 'approved',
      decided_by: 'hermes:auto:slack:U9',
    });
  });

  it('`scope: job` is a synonym of granting the tool-name rule', async () => {
    const job = chatJob();
    await f.event(job.id, 'permission_required', {
      request_id: 'r-1',
      tool: 'WebFetch',
      input: { url: 'https://a.example' },
    });
    await f.core.decisions.decide({
      jobId: job.id,
      requestId: 'r-1',
      decision: 'approve',
      by: 'cli:al',
      scope: 'job',
    });
    expect(grantedRulesOf(f.db, job.id)).toMatchObject([
      { kind: 'allow', rule: 'WebFetch', granted_by: 'cli:al' },
    ]);
  });
});
