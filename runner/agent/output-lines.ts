/**
 * Splits an agent's stdout into lines for the readers of its JSON output (claude-output.ts,
 * codex-output.ts): each complete line goes through `line`, whose return is the text to show.
 */

/** A runaway line without a newline is shown as it is rather than held in memory. */
const MAX_LINE = 4 * 1024 * 1024;

export class OutputLines {
  private buf = '';

  constructor(private readonly line: (raw: string) => string) {}

  /** Takes a chunk of stdout; returns the text to show for the complete lines in it. */
  push(chunk: string): string {
    this.buf += chunk;
    let out = '';
    for (let nl = this.buf.indexOf('\n'); nl !== -1; nl = this.buf.indexOf('\n')) {
      out += this.line(this.buf.slice(0, nl));
      this.buf = this.buf.slice(nl + 1);
    }
    if (this.buf.length > MAX_LINE) {
      out += this.buf;
      this.buf = '';
    }
    return out;
  }

  /** The end of the output: the last line without a newline, if any. */
  end(): string {
    const rest = this.buf;
    this.buf = '';
    return rest === '' ? '' : this.line(rest);
  }
}
