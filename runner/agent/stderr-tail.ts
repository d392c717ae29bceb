/**
 * The last line an agent wrote on stderr, kept while the stream passes through: what a person
 * reads after "exited with status 1" (`Error: ANTHROPIC_API_KEY is not set`). Only the end of the
 * stream is held, terminal colour and cursor codes are dropped, and the line is cut for chat.
 */
const KEEP_CHARS = 8192;
export const LINE_CHARS = 300;
// CSI / OSC escape sequences and other C0 controls except tab.
const CONTROLS =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[\u0000-\u0008\u000b-\u001f\u007f]/g;

export class StderrTail {
  private text = '';

  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-KEEP_CHARS);
  }

  lastLine(): string | undefined {
    const lines = this.text
      .split(/\r?\n|\r/)
      .map((l) => l.replace(CONTROLS, '').trim())
      .filter((l) => l.length > 0);
    const last = lines.at(-1);
    if (last === undefined) return undefined;
    return last.length > LINE_CHARS ? `${last.slice(0, LINE_CHARS - 1)}…` : last;
  }
}
