import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatcherFixture } from './dispatcher-support.js';

let f: ReturnType<typeof dispatcherFixture>;
beforeEach(async () => {
  f = dispatcherFixture({
    startResendMs: 60_000,
    maxStartAttempts: 3,
    cancelResendMs: 30_000,
    maxCancelAttempts: 3,
  });
  await f.start();
});
afterEach(() => f.close());

const register = (runner = 'r1') => f.registry.register({ profile: 'demo', runner, owner: 'o' });
const status = (id: string) => f.registry.require(id).status;
const cancelAnswer = (id: string) =>
  (f.db.prepare('SELECT cancel_answer AS a FROM jobs WHERE id = ?').get(id) as { a: string | null }).a;
/** Lets a cancel sent from a runner's answer (not awaited by anyone) go out. */
const flushed = () => new Promise((r) => setImmediate(r));

describe('unanswered starts are sent again', () => {
  it('after the interval, only while the runner is online, with a new seq, until the runner answers', async () => {
    f.online();
    const job = register();
    await f.pass();
    expect(f.commandsOf(job.id)).toEqual(['start']);
    await f.pass(59_000);
    expect(f.commandsOf(job.id)).toEqual(['start']);
    f.online(false);
    await f.pass(60_000);
    expect(f.commandsOf(job.id)).toEqual(['start']);
    f.online();
    await f.pass();
    expect(f.commandsOf(job.id)).toEqual(['start', 'start']);
    const [first, second] = f.sent.filter((c) => c.job_id === job.id);
    expect(second!.seq).toBeGreaterThan(first!.seq);
    expect(second!.data).toMatchObject({ profile: 'demo', auth: 'token' });
    expect(status(job.id)).toBe('dispatched');

    // The wait doubles: nothing at +60 s, the third send at +120 s.
    await f.pass(60_000);
    expect(f.commandsOf(job.id)).toHaveLength(2);
    f.answer(job.id, 'start', 'accepted');
    await f.pass(3_600_000);
    expect(f.commandsOf(job.id)).toHaveLength(2);
    expect(status(job.id)).toBe('dispatched');
  });

  it("the runner's refusal of a start it already has is an answer, not an error", async () => {
    f.online();
    const job = register();
    await f.pass();
    await f.pass(60_000);
    f.answer(job.id, 'start', 'rejected', `job ${job.id} was already started on runner r1`);
    expect(status(job.id)).toBe('dispatched');
    await f.pass(3_600_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'start']);
  });

  it('a start lost because the bot died before publishing it is sent by the next pass', async () => {
    f.online();
    const job = register();
    // What a crash between the claim and the publish leaves: dispatched, nothing sent.
    f.registry.claim('r1');
    f.db.prepare('UPDATE jobs SET start_attempts = 0, start_sent_at = NULL WHERE id = ?').run(job.id);
    await f.pass(60_000);
    expect(f.commandsOf(job.id)).toEqual(['start']);
  });

  it('a job whose runner never answers ends in error after the last attempt', async () => {
    f.online();
    const job = register();
    await f.pass();
    await f.pass(60_000);
    await f.pass(120_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'start', 'start']);
    expect(status(job.id)).toBe('dispatched');
    await f.pass(240_000);
    expect(f.registry.require(job.id)).toMatchObject({
      status: 'error',
      statusReason: 'runner r1 never answered the start (sent 3 times)',
    });
    // The runner may run it all the same (its answers lost): it is told to cancel, until it answers.
    expect(f.commandsOf(job.id)).toEqual(['start', 'start', 'start', 'cancel']);
    await f.pass(30_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'start', 'start', 'cancel', 'cancel']);
    f.answer(job.id, 'cancel', 'done');
    await f.pass(3_600_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'start', 'start', 'cancel', 'cancel']);
    expect(cancelAnswer(job.id)).toBe('done');
  });

  it('a start accepted for a job already over gets a cancel, unless one is already on its way', async () => {
    f.online();
    const late = register();
    await f.pass();
    f.registry.cancel(late.id, 'cancelled from the CLI');
    await f.pass();
    expect(f.commandsOf(late.id)).toEqual(['start', 'cancel']);
    // The runner did not have the job yet when the cancel came, then the start arrived.
    f.answer(late.id, 'cancel', 'rejected', `no job ${late.id} here`);
    f.answer(late.id, 'start', 'accepted');
    await flushed();
    expect(f.commandsOf(late.id)).toEqual(['start', 'cancel', 'cancel']);
    expect(cancelAnswer(late.id)).toBeNull();

    // The usual order: start accepted, then the cancel sent after it is answered; nothing more.
    const usual = register();
    await f.pass();
    f.registry.cancel(usual.id);
    await f.pass();
    f.answer(usual.id, 'start', 'accepted');
    await flushed();
    expect(f.commandsOf(usual.id)).toEqual(['start', 'cancel']);
  });

  it('a late answer to a re-sent start of a job the agent finished sends no cancel', async () => {
    f.online();
    const job = register();
    await f.pass();
    await f.pass(60_000);
    // The agent ran and completed; the runner's answer to the first start was lost.
    f.db
      .prepare(
        `INSERT INTO events (job_id, seq, event, timestamp, received_at, wire, digest, verified)
         VALUES (?, 1, 'completed', '', '', '', 'd', 1)`,
      )
      .run(job.id);
    f.registry.transition(job.id, 'completed');
    f.answer(job.id, 'start', 'rejected', `job ${job.id} was already started on runner r1`);
    await flushed();
    await f.pass(3_600_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'start']);
  });

  it('a start answered as already there after the bot gave up gets a cancel', async () => {
    f.online();
    const job = register();
    await f.pass();
    await f.pass(60_000);
    await f.pass(120_000);
    await f.pass(240_000);
    expect(status(job.id)).toBe('error');
    f.answer(job.id, 'cancel', 'rejected', 'no such job');
    f.answer(job.id, 'start', 'rejected', `job ${job.id} was already started on runner r1`);
    await flushed();
    expect(f.commandsOf(job.id)).toEqual(['start', 'start', 'start', 'cancel', 'cancel']);
  });

  it('any other rejection of a dispatched start still ends the job in error', async () => {
    f.online();
    const job = register();
    await f.pass();
    f.answer(job.id, 'start', 'rejected', 'sealed token does not open');
    expect(f.registry.require(job.id).statusReason).toBe(
      'runner r1 rejected the start: sealed token does not open',
    );
  });
});

describe('cancels owed to runners', () => {
  it('a job cancelled by another process (hermes jobs cancel) gets its cancel from the next pass, once answered', async () => {
    f.online();
    const job = register();
    await f.pass();
    f.answer(job.id, 'start', 'accepted');
    f.registry.cancel(job.id, 'cancelled from the CLI');
    await f.pass();
    expect(f.commandsOf(job.id)).toEqual(['start', 'cancel']);
    await f.pass(29_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'cancel']);
    await f.pass(1_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'cancel', 'cancel']);
    f.answer(job.id, 'cancel', 'done');
    await f.pass(3_600_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'cancel', 'cancel']);
  });

  it('a cancel that could not be published is sent by a later pass; a never-dispatched job needs none', async () => {
    f.online();
    const job = register();
    await f.pass();
    const pending = f.registry.register({ profile: 'demo', runner: 'nobody', owner: 'o' });
    f.state.down = true;
    await f.dispatcher.cancel(job.id, 'slack:U1');
    await f.dispatcher.cancel(pending.id, 'slack:U1');
    expect(status(job.id)).toBe('cancelled');
    expect(f.commandsOf(job.id)).toEqual(['start']);
    f.state.down = false;
    await f.pass();
    expect(f.commandsOf(job.id)).toEqual(['start', 'cancel']);
    expect(f.commandsOf(pending.id)).toEqual([]);
  });

  it('gives up after the last attempt when the runner never answers', async () => {
    f.online();
    const job = register();
    await f.pass();
    f.registry.cancel(job.id);
    await f.pass();
    await f.pass(30_000);
    await f.pass(60_000);
    await f.pass(120_000);
    await f.pass(3_600_000);
    expect(f.commandsOf(job.id)).toEqual(['start', 'cancel', 'cancel', 'cancel']);
    expect(
      (f.db.prepare('SELECT cancel_answer AS a FROM jobs WHERE id = ?').get(job.id) as { a: string }).a,
    ).toBe('unanswered');
  });

  it('cancels waiting for an offline runner do not hold back the cancel of an online runner', async () => {
    f.pair('r2');
    f.online(true, 'r2');
    const stuck = Array.from({ length: 25 }, () => register('r2'));
    await f.pass();
    f.online(false, 'r2');
    for (const j of stuck) f.registry.cancel(j.id, 'cancelled from the CLI');
    // The first sends need no online runner (its session queues them), 20 per pass.
    await f.pass();
    await f.pass();
    expect(stuck.every((j) => f.commandsOf(j.id).join() === 'start,cancel')).toBe(true);
    // Due again, but r2 is offline: nothing is sent to it, and nothing it owes takes a place.
    f.clock.advance(3_600_000);
    f.online();
    const job = register();
    await f.pass();
    f.answer(job.id, 'start', 'accepted');
    f.clock.advance(1_000);
    f.registry.cancel(job.id, 'cancelled from the CLI');
    await f.pass();
    expect(f.commandsOf(job.id)).toEqual(['start', 'cancel']);
    expect(stuck.every((j) => f.commandsOf(j.id).join() === 'start,cancel')).toBe(true);
    expect(stuck.every((j) => cancelAnswer(j.id) === null)).toBe(true);

    // A day after the cancel they are given up though r2 never came back.
    await f.pass(24 * 3_600_000);
    await f.pass();
    expect(stuck.map((j) => cancelAnswer(j.id))).toEqual(stuck.map(() => 'unanswered'));
    expect(stuck.every((j) => f.commandsOf(j.id).join() === 'start,cancel')).toBe(true);
  });

  it('a cancel for a runner no longer paired is given up at once', async () => {
    f.pair('r2');
    f.online(true, 'r2');
    const job = register('r2');
    await f.pass();
    f.runners.remove('r2');
    f.registry.cancel(job.id);
    await f.pass();
    expect(f.commandsOf(job.id)).toEqual(['start']);
    expect(cancelAnswer(job.id)).toBe('unanswered');
  });

  it('a cancel that cannot be published does not stop the pass: the next ones go out', async () => {
    f.online();
    const first = register();
    const second = register();
    await f.pass();
    f.registry.cancel(first.id);
    f.registry.cancel(second.id);
    f.state.failJobs.add(first.id);
    await f.pass();
    expect(f.commandsOf(first.id)).toEqual(['start']);
    expect(f.commandsOf(second.id)).toEqual(['start', 'cancel']);
    // The failed send does not count: the next pass sends it, not a re-send after a wait.
    f.state.failJobs.clear();
    await f.pass();
    expect(f.commandsOf(first.id)).toEqual(['start', 'cancel']);
    expect(f.commandsOf(second.id)).toEqual(['start', 'cancel']);
  });

  it('jobs ended before the upgrade owe no cancel', async () => {
    f.online();
    const job = register();
    await f.pass();
    f.registry.cancel(job.id);
    // What migration 4 leaves on a job cancelled by an older version.
    f.db.prepare(`UPDATE jobs SET cancel_owed_at = NULL, cancel_answer = 'legacy' WHERE id = ?`).run(job.id);
    await f.pass();
    expect(f.commandsOf(job.id)).toEqual(['start']);
  });
});
