/**
 * Gap repair end to end: the bot (in process) and `hermes runner` (a child process) on real
 * Mosquitto. Two of a waiting job's accepted events vanish from the bot's store, as if a broker
 * node had acknowledged them to the runner and died before the bot had them; the bot's gap watch
 * audits the hole, asks the runner over a signed `resend` command, and the runner's outbox (which
 * keeps sent rows) sends them again: they are accepted in place.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPath } from '../../../src/relay/audit.js';
import { hasMosquitto, hasTmux, requireSystemDeps } from '../../helpers/system.js';
import { waitFor } from '../../helpers/wait.js';
import { type DaemonWorld, startWorld } from './daemon-harness.js';

const available = (hasTmux() && hasMosquitto()) || requireSystemDeps();

describe.skipIf(!available)('gap detection and repair from the runner outbox', () => {
  let w: DaemonWorld;

  beforeAll(async () => {
    w = await startWorld({ botEnv: { HERMES_GAP_GRACE_SECONDS: '0.3' } });
    await w.startRunner();
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });

  it('a hole in the accepted seqs is audited, asked for, resent from the outbox and filled', async () => {
    const job = w.register('demo', 'tidy the README');
    const requestId = await w.pendingRequest(job.id);
    const seqs = () => w.events(job.id).map((e) => e.seq);
    expect(seqs()).toEqual([1, 2, 3, 4]);
    w.bot.bot!.db.prepare('DELETE FROM events WHERE job_id = ? AND seq IN (2, 3)').run(job.id);
    expect(seqs()).toEqual([1, 4]);

    await waitFor(() => seqs().join() === '1,2,3,4', {
      timeoutMs: 20_000,
      message: 'events 2-3 sent again by the runner and accepted',
    });
    const audit = () =>
      readFileSync(auditPath(w.botHome), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((r) => r.job_id === job.id && String(r.verdict).startsWith('gap'));
    await waitFor(() => audit().some((r) => r.verdict === 'gap_repaired'), {
      timeoutMs: 10_000,
      message: 'the repaired gap in the audit log',
    }).catch((e) => {
      // The job's last audit lines say where the repair stopped.
      throw new Error(
        `${(e as Error).message}: ${readFileSync(auditPath(w.botHome), 'utf8')
          .split('\n')
          .filter((l) => l.includes(job.id))
          .slice(-6)
          .join('\n')}`,
      );
    });
    expect(audit().map((r) => [r.verdict, r.from, r.to])).toEqual([
      ['gap', 2, 3],
      ['gap_repaired', 2, 3],
    ]);
    expect(w.events(job.id).every((e) => e.verified)).toBe(true);

    await w.decide(job.id, requestId, 'approve');
    await w.waitForStatus(job.id, 'completed');
  });
});
