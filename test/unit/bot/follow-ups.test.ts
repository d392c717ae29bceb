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

const register = () => f.registry.register({ profile: 'demo', runner: 'r1', owner: 'o' });
const status = (id: string) => f.registry.require(id).status;

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
    expect(f.commandsOf(job.id)).toHaveLength(3);
    expect(f.registry.require(job.id)).toMatchObject({
      status: 'error',
      statusReason: 'runner r1 never answered the start (sent 3 times)',
    });
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
});
