/**
 * An error after a refusal says why, in the job's status reason, its thread and the channel
 * announcement: who denied which tool and their reason, or that nobody answered in time. A later
 * approval makes the deny not the last word; a cancel is announced with who cancelled.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainText } from '../../../src/chat/message.js';
import { ALICE, APPROVER, ChatHarness } from './harness.js';

let h: ChatHarness;
beforeEach(() => {
  h = new ChatHarness();
});
afterEach(() => h.close());

const announced = (jobId: string) =>
  h.port
    .announcements()
    .filter((m) => m.content.summary.includes(jobId))
    .map((m) => plainText(m.content))
    .join('\n');

describe('why a job ended', () => {
  it('after a deny: the reason and who denied it, in the status, the thread and the announcement', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Write', { file_path: 'README.md' });
    await h.people.command(APPROVER, `deny ${job.id} r-1 not on a Friday`);
    await h.settle();
    await h.event(
      job.id,
      'error',
      'demo agent exited with status 1: permission denied; stopping without changes',
    );
    expect(h.registry.require(job.id).statusReason).toBe(
      `demo agent exited with status 1: permission denied; stopping without changes (after slack:${APPROVER} denied Write: not on a Friday)`,
    );
    const thread = h.port.threadText(job.id).at(-1)!;
    expect(thread).toContain('❌ Error: demo agent exited with status 1: permission denied');
    expect(thread).toContain(`Denied by @${APPROVER} (Write): not on a Friday`);
    const ann = announced(job.id);
    expect(ann).toContain('ended with an error');
    expect(ann).toContain('demo agent exited with status 1: permission denied');
    expect(ann).toContain(`Denied by @${APPROVER} (Write): not on a Friday`);
  });

  it('after a request nobody answered: says so', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', { command: 'npm test' }, 'run tests', '2000-01-01T00:00:00Z');
    await h.bot.tick();
    await h.settle();
    await h.event(job.id, 'error', 'demo agent exited with status 1');
    expect(h.registry.require(job.id).statusReason).toBe(
      'demo agent exited with status 1 (after nobody answered the Bash request in time)',
    );
    expect(announced(job.id)).toContain('Not answered: nobody answered the Bash request in time');
  });

  it('a deny followed by an approval is not given as the reason', async () => {
    const job = await h.register();
    await h.permission(job.id, 'r-1', 'Bash', { command: 'rm -rf build' });
    await h.people.command(APPROVER, `deny ${job.id} r-1 no`);
    await h.permission(job.id, 'r-2', 'Bash', { command: 'npm test' });
    await h.people.command(APPROVER, `approve ${job.id} r-2`);
    await h.settle();
    await h.event(job.id, 'error', 'tests failed');
    expect(h.registry.require(job.id).statusReason).toBe('tests failed');
    expect(announced(job.id)).not.toContain('Denied');
  });

  it('a cancel is announced in the channel with who cancelled', async () => {
    const job = await h.register();
    await h.people.command(ALICE, `cancel ${job.id}`);
    await h.settle();
    expect(announced(job.id)).toContain(`Job ${job.id} cancelled by @${ALICE}`);
  });
});
