/**
 * Rules granted from chat text (`approve|deny … --rule`), `/hermes rules`, and automatic decisions
 * counted in the job's status message.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { takeRule } from '../../../src/chat/commands/rule-flag.js';
import { plainText } from '../../../src/chat/message.js';
import type { ChatMessage } from '../../../src/chat/port.js';
import { grantedRulesOf } from '../../../src/jobs/granted-rules.js';
import { permissionRequest } from '../../../src/jobs/queries.js';
import { ALICE, APPROVER, ChatHarness, MALLORY } from './harness.js';

let h: ChatHarness;
beforeEach(() => {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: Date.parse('2026-06-21T10:00:00Z'),
  });
  h = new ChatHarness();
});
afterEach(() => {
  h.close();
  vi.useRealTimers();
});

const text = (ms: ChatMessage[]) => ms.map((m) => plainText(m)).join('\n');
const req = (jobId: string, id: string) => permissionRequest(h.db, jobId, id)!;
async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await h.settle();
}

describe('--rule', () => {
  it('is taken out of the text, quoted, with =, or unquoted up to its closing parenthesis', () => {
    const t = takeRule(`j-1 r-1 --rule 'Bash(npm run lint:*)' not today`);
    expect(t.rule).toBe('Bash(npm run lint:*)');
    expect(t.text.split(/\s+/)).toEqual(['j-1', 'r-1', 'not', 'today']);
    expect(takeRule('j-1 --rule=Write').rule).toBe('Write');
    expect(takeRule('j-1 --rule Bash(npm run lint:*) why').rule).toBe('Bash(npm run lint:*)');
    expect(() => takeRule('j-1 --rule')).toThrow(/--rule needs a rule/);
    expect(takeRule('j-1 r-1 plain reason')).toEqual({ text: 'j-1 r-1 plain reason', rule: undefined });
  });

  it('approve … --rule approves the request and grants the rule; later calls it covers are approved', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', { command: 'npm run lint' });
    const replies = await h.people.command(ALICE, `approve ${job.id} r-1 --rule 'Bash(npm run lint:*)'`);
    await h.settle();
    expect(text(replies)).toContain('Allowed for the rest of the job: Bash(npm run lint:*)');
    expect(req(job.id, 'r-1').status).toBe('approved');
    expect(grantedRulesOf(h.db, job.id)).toMatchObject([
      { kind: 'allow', rule: 'Bash(npm run lint:*)', granted_by: `slack:${ALICE}`, request_id: 'r-1' },
    ]);
    await h.permission(job.id, 'r-2', 'Bash', { command: 'npm run lint -- --fix' });
    expect(req(job.id, 'r-2')).toMatchObject({
      status: 'approved',
      decided_by: `hermes:auto:slack:${ALICE}`,
    });
  });

  it('deny … --rule denies with the reason and adds a job deny rule; a later covered call is denied and shown with its rule', async () => {
    const job = await h.register();
    await h.event(job.id, 'progress', 'reading');
    await h.permission(job.id, 'r-1', 'Bash', { command: 'rm -r build' });
    await h.people.command(APPROVER, `deny ${job.id} r-1 --rule 'Bash(rm:*)' keep the build`);
    await h.settle();
    expect(req(job.id, 'r-1')).toMatchObject({ status: 'denied', reason: 'keep the build' });
    expect(grantedRulesOf(h.db, job.id)).toMatchObject([{ kind: 'deny', rule: 'Bash(rm:*)' }]);
    await h.permission(job.id, 'r-2', 'Bash', { command: 'rm -rf dist' });
    expect(req(job.id, 'r-2')).toMatchObject({
      status: 'denied',
      decided_by: `hermes:auto:slack:${APPROVER}`,
    });
    await advance(6000);
    const status = h.port.thread(job.id).find((m) => m.content.summary.includes('reading'))!;
    const shown = plainText(status.content);
    expect(shown).toContain('⛔ Auto-denied 1 call: Bash 1');
    expect(shown).toContain('⛔ Bash rm -rf dist denied by Bash(rm:*) (granted)');
    expect(shown).toContain('⏳ Working: reading');
  });

  it('a bad rule is answered with parseRule’s message and decides nothing', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', { command: 'ls' });
    const replies = await h.people.command(ALICE, `approve ${job.id} r-1 --rule 'Bash(npm:* x)'`);
    expect(text(replies)).toContain('rule "Bash(npm:* x)": :* marks a prefix and may only stand at the end');
    expect(text(replies)).toContain('Nothing was decided');
    expect(req(job.id, 'r-1').status).toBe('pending');
  });

  it('with nothing waiting, --rule grants the rule alone; someone else may not', async () => {
    const job = await h.register();
    expect(text(await h.people.command(MALLORY, `approve ${job.id} --rule Read`))).toMatch(/may not answer/);
    const replies = await h.people.command(ALICE, `approve ${job.id} --rule Read`);
    expect(text(replies)).toContain(`Allowed Read for the rest of ${job.id}; no request was waiting.`);
    await h.permission(job.id, 'r-1', 'Read', { file_path: '/etc/hosts' });
    expect(req(job.id, 'r-1').status).toBe('approved');
  });
});

describe('/hermes rules', () => {
  it('lists rules by origin with who granted them and how many calls each answered', async () => {
    const job = await h.register();
    // Two calls the hook answered with a profile rule, one it denied with a hardline deny.
    for (const [decision, rule, origin] of [
      ['allow', 'Read(./**)', 'profile'],
      ['allow', 'Read(./**)', 'profile'],
      ['deny', 'hardline:rm-root', 'hardline'],
    ] as const)
      await h.event(job.id, 'progress', `auto-${decision}ed`, {
        auto: { decision, tool: decision === 'allow' ? 'Read' : 'Bash', rule, origin, summary: 'x' },
      });
    await h.permission(job.id, 'r-1', 'Bash', { command: 'npm test' });
    await h.people.command(ALICE, `approve ${job.id} r-1 --rule 'Bash(npm test:*)'`);
    await h.permission(job.id, 'r-2', 'Bash', { command: 'npm test -- a' });
    await h.permission(job.id, 'r-3', 'Bash', { command: 'npm test -- b' });
    const shown = text(await h.people.command(ALICE, `rules ${job.id}`));
    expect(shown).toContain('rm-root (1 call)');
    expect(shown).toContain('Profile rules');
    expect(shown).toContain('allow Read(./**) · 2 calls');
    expect(shown).toMatch(new RegExp(`allow Bash\\(npm test:\\*\\) · by @${ALICE} at [0-9T:.-]+Z · 2 calls`));
    expect(text(await h.people.command(MALLORY, `rules ${job.id}`))).toMatch(/Not allowed/);
  });

  it('the status message counts the hook’s automatic decisions without taking them as the latest update', async () => {
    const job = await h.register();
    await h.event(job.id, 'progress', 'editing the README');
    for (const tool of ['Read', 'Read', 'Grep'])
      await h.event(job.id, 'progress', `auto-allowed ${tool} x`, {
        auto: { decision: 'allow', tool, rule: 'Read(./**)', origin: 'profile', summary: 'x' },
      });
    await advance(6000);
    const status = h.port.thread(job.id).find((m) => m.content.summary.includes('README'))!;
    const shown = plainText(status.content);
    expect(shown).toContain('⏳ Working: editing the README');
    expect(shown).toContain('🤖 Auto-allowed 3 calls: Read 2, Grep 1');
    expect(shown).toContain('1 update so far');
  });
});
