/**
 * Holes in a job's accepted events: a later seq was accepted while earlier ones never arrived
 * (a broker node acknowledged them to the runner, then died before the bot had them). A hole that
 * stays open past a grace period (events of one job can arrive slightly out of order) is audited
 * (`gap`, with the range) and the job's runner is asked to send that range again from its
 * outbox. If it cannot (it no longer has them, or the agent published straight to the broker), or
 * the hole is still open after the repair wait, the gap is audited as `gap_unrepaired`, counted,
 * and reported once (chat shows it in the job's thread). Nothing is skipped silently.
 */
import { type Clock, isoTime } from '../clock.js';
import type { Logger } from '../log.js';
import type { AuditSink } from '../relay/audit.js';
import { type Db, prepared } from '../store/sqlite.js';
import type { UnrepairedGap } from './relay-service.js';

export interface Gap {
  jobId: string;
  from: number;
  to: number;
}

export interface GapWatchDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  audit: AuditSink;
  /** Asks the job's runner for the range again (Dispatcher.requestResend). */
  resend(jobId: string, from: number, to: number): Promise<{ ok: boolean; reason?: string }>;
  onUnrepaired(gap: UnrepairedGap): void;
  /** A hole younger than this (by the receipt of the event after it) may still fill by itself. */
  graceMs: number;
  /** How long a resend may take to fill the hole. Default 30 s. */
  repairWaitMs?: number;
  /** Only jobs with an event received in this window are looked at. Default 1 h. */
  windowMs?: number;
}

interface Tracked {
  gap: Gap;
  askedAt: number;
  done: boolean;
}

interface HoleRow {
  job_id: string;
  seq: number;
  next_seq: number;
  next_received: string;
}

const overlaps = (a: Gap, b: Gap) => a.jobId === b.jobId && a.from <= b.to && b.from <= a.to;

export class GapWatch {
  private readonly tracked = new Map<string, Tracked>();
  readonly counts = { detected: 0, repaired: 0, unrepaired: 0 };
  private running: Promise<void> | undefined;

  constructor(private readonly deps: GapWatchDeps) {}

  /** One pass; concurrent calls share it. */
  scan(): Promise<void> {
    this.running ??= this.scanNow().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Open holes (seq ranges missing between two accepted events) of recently active jobs. */
  holes(): Array<Gap & { after: number }> {
    const since = isoTime(this.deps.clock.now() - (this.deps.windowMs ?? 3_600_000));
    const rows = prepared(
      this.deps.db,
      `SELECT job_id, seq, next_seq, next_received FROM (
         SELECT job_id, seq,
                LEAD(seq) OVER w AS next_seq, LEAD(received_at) OVER w AS next_received
         FROM events
         WHERE job_id IN (SELECT DISTINCT job_id FROM events WHERE received_at >= ?)
         WINDOW w AS (PARTITION BY job_id ORDER BY seq)
       ) WHERE next_seq > seq + 1`,
    ).all(since) as HoleRow[];
    return rows.map((r) => ({
      jobId: r.job_id,
      from: r.seq + 1,
      to: r.next_seq - 1,
      after: Date.parse(r.next_received),
    }));
  }

  private async scanNow(): Promise<void> {
    const { clock, graceMs } = this.deps;
    const now = clock.now();
    const open = new Set<string>();
    for (const h of this.holes()) {
      // A resend that is half through leaves part of the hole open: still the gap that was asked for.
      const known = [...this.tracked].find(([, t]) => overlaps(t.gap, h));
      const key = known?.[0] ?? `${h.jobId}:${h.from}-${h.to}`;
      open.add(key);
      const t = known?.[1];
      if (!t) {
        if (now - h.after < graceMs) continue;
        this.detected({ jobId: h.jobId, from: h.from, to: h.to }, key, now);
      } else if (!t.done && now - t.askedAt >= (this.deps.repairWaitMs ?? 30_000)) {
        this.unrepaired(t, 'the events did not arrive after the runner was asked for them');
      }
    }
    // Tracked holes no longer open were filled by the resend (or the late events themselves).
    for (const [key, t] of this.tracked) {
      if (open.has(key)) continue;
      this.tracked.delete(key);
      if (t.done) continue;
      this.counts.repaired++;
      this.write('gap_repaired', t.gap);
      this.deps.log.info(t.gap, 'gap in job events repaired');
    }
  }

  /** Audits the hole and asks for it; the answer is not awaited (a scan must not wait on a runner). */
  private detected(gap: Gap, key: string, now: number): void {
    const t: Tracked = { gap, askedAt: now, done: false };
    this.tracked.set(key, t);
    this.counts.detected++;
    this.write('gap', gap);
    this.deps.log.warn(gap, 'gap in job events; asking the runner to send them again');
    const refused = (reason: string) => {
      // The hole may have filled meanwhile (the events were only late): then the next scan says so.
      if (t.done || this.tracked.get(key) !== t) return;
      if (!this.holes().some((h) => overlaps(gap, h))) return;
      this.unrepaired(t, reason);
    };
    this.deps.resend(gap.jobId, gap.from, gap.to).then(
      (answer) => {
        if (!answer.ok) refused(answer.reason ?? 'the runner could not send them again');
      },
      (e: unknown) => refused((e as Error).message),
    );
  }

  private unrepaired(t: Tracked, reason: string): void {
    t.done = true;
    this.counts.unrepaired++;
    this.write('gap_unrepaired', t.gap, reason);
    this.deps.log.warn({ ...t.gap, reason }, 'gap in job events cannot be repaired');
    this.deps.onUnrepaired({ ...t.gap, reason });
  }

  private write(verdict: 'gap' | 'gap_repaired' | 'gap_unrepaired', gap: Gap, reason?: string): void {
    this.deps.audit.write({
      received_at: isoTime(this.deps.clock.now()),
      topic: '',
      verdict,
      job_id: gap.jobId,
      from: gap.from,
      to: gap.to,
      ...(reason !== undefined ? { detail: reason } : {}),
    });
  }
}
