/**
 * Running token counts while a turn runs: the stream-json reader reports each assistant message's
 * usage, and this turns them into `progress` events with `data.tokens` (the job's counts so far:
 * earlier turns' totals plus this turn's running sum), so the thread's status message can show
 * them before the turn's result (and its cost) arrives. At most one event per `everyMs`: a turn's
 * first change is sent at once, later ones wait for the interval and only the newest goes.
 * Sends run one after another, and `settle()` waits for them before the turn's end is published,
 * so the end always has the later seq.
 */
import { addTokens, formatTokens, type Tokens } from '../../src/jobs/usage.js';

export interface RunningTokensOptions {
  everyMs: number;
  now(): number;
  send(detail: string, data: { tokens: Tokens; turn: number }): Promise<void>;
}

export class RunningTokens {
  private base: Tokens = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 };
  private turn = 0;
  private pending: Tokens | undefined;
  private lastSent = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly o: RunningTokensOptions) {}

  /** A turn starts; `base` is what the job's earlier turns used. Its first change goes at once. */
  begin(turn: number, base: Tokens): void {
    this.turn = turn;
    this.base = base;
    this.lastSent = Number.NEGATIVE_INFINITY;
  }

  /** This turn's running counts changed. */
  update(running: Tokens): void {
    this.pending = addTokens(this.base, running);
    if (this.timer !== undefined) return;
    const wait = this.lastSent + this.o.everyMs - this.o.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait).unref();
  }

  /** The turn ended: counts not sent yet are dropped (its end carries the real usage); waits for sends under way. */
  async settle(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.chain;
  }

  private flush(): void {
    this.timer = undefined;
    const tokens = this.pending;
    if (!tokens) return;
    this.pending = undefined;
    this.lastSent = this.o.now();
    const turn = this.turn;
    // A failed send is the publisher's to report; the next one still goes.
    this.chain = this.chain
      .then(() => this.o.send(`Turn ${turn}: ${formatTokens(tokens)} tokens so far`, { tokens, turn }))
      .catch(() => undefined);
  }
}
