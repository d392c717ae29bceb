/**
 * Keeps chat calls in one channel apart by at least the platform's interval (Slack: about one
 * message per second per channel). Urgent calls (permission requests, terminal events) never wait
 * but use up the budget, so progress edits, which do wait, fit around them.
 */
import type { Clock } from '../clock.js';
import type { Timers } from './timers.js';

export class ChannelPacer {
  private readonly nextFree = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly timers: Timers,
  ) {}

  /** Records an urgent call made now. */
  spend(channel: string): void {
    if (this.intervalMs <= 0) return;
    const now = this.clock.now();
    this.nextFree.set(channel, Math.max(now, this.nextFree.get(channel) ?? 0) + this.intervalMs);
  }

  /** Resolves when a non-urgent call may go out in `channel`, and books that slot. */
  async wait(channel: string): Promise<void> {
    if (this.intervalMs <= 0) return;
    const now = this.clock.now();
    const slot = Math.max(now, this.nextFree.get(channel) ?? 0);
    this.nextFree.set(channel, slot + this.intervalMs);
    if (slot > now) await new Promise<void>((resolve) => this.timers.setTimeout(resolve, slot - now));
  }
}
