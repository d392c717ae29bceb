/**
 * The job's static rules that an accepted start result carries (`data.policy`): stored for
 * `/hermes rules` when they parse, left out (the start still answered) when they do not.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobPolicyOf } from '../../../src/jobs/job-policies.js';
import { dispatcherFixture } from './dispatcher-support.js';

let f: ReturnType<typeof dispatcherFixture>;
beforeEach(async () => {
  f = dispatcherFixture();
  await f.start();
  f.online();
});
afterEach(() => f.close());

const POLICY = {
  hardline: ['rm-root-or-home', 'mkfs'],
  rules: [
    { rule: 'Bash(shutdown:*)', kind: 'deny', origin: 'hardline' },
    { rule: 'Bash(rm -rf:*)', kind: 'deny', origin: 'bot' },
    { rule: 'Read(./**)', kind: 'allow', origin: 'profile' },
  ],
};
const ledger = (id: string) =>
  (
    f.db.prepare('SELECT start_answer AS a FROM jobs WHERE id = ?').get(id) as
      | { a: string | null }
      | undefined
  )?.a;

async function dispatched() {
  const job = f.registry.register({ profile: 'claude', runner: 'r1', owner: 'o' });
  await f.pass();
  return job;
}

describe('an accepted start with data.policy', () => {
  it('is stored with the runner and time; a second report of the job does not replace it', async () => {
    const job = await dispatched();
    f.answer(job.id, 'start', 'accepted', undefined, { policy: POLICY });
    expect(jobPolicyOf(f.db, job.id)).toEqual({
      jobId: job.id,
      runner: 'r1',
      reportedAt: expect.stringMatching(/Z$/),
      policy: POLICY,
    });
    f.answer(job.id, 'start', 'accepted', undefined, { policy: { hardline: [], rules: [] } });
    expect(jobPolicyOf(f.db, job.id)?.policy).toEqual(POLICY);
  });

  it('one that does not parse is left out, and the start still counts as answered', async () => {
    const job = await dispatched();
    const bad = { ...POLICY, rules: [{ rule: 'Bash', kind: 'allow', origin: 'granted' }] };
    f.answer(job.id, 'start', 'accepted', undefined, { policy: bad });
    expect(jobPolicyOf(f.db, job.id)).toBeUndefined();
    expect(ledger(job.id)).toBe('accepted');
    // A rejected start's policy (there is none in practice) is never stored.
    const other = await dispatched();
    f.answer(other.id, 'start', 'rejected', 'no such profile', { policy: POLICY });
    expect(jobPolicyOf(f.db, other.id)).toBeUndefined();
  });
});
