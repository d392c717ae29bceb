/**
 * The console's terminal: typed lines in, printed lines out.
 *
 * On a terminal (stdin and stdout both TTYs) it is a node:readline prompt with line editing,
 * arrow-key history (kept in a file across runs when one is given), Ctrl-L to clear the screen
 * and redraw the prompt, Ctrl-C and Ctrl-D to quit. Lines printed while a person types go above
 * the prompt, which is drawn again below them with the half-typed line and cursor as they were.
 *
 * Elsewhere (a pipe, a test's PassThrough) there is no prompt and no echo: lines are read as they
 * come and printed as they are.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { clearScreenDown, createInterface, cursorTo, type Interface, moveCursor } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type ConsoleStyle, PLAIN, paint } from './style.js';

export interface ConsoleTerminalOptions {
  input: Readable;
  output: Writable;
  style?: ConsoleStyle;
  /** Prompt, editing and history (default: when input and output are both TTYs). */
  interactive?: boolean;
  /** Where history is kept between runs (interactive only). */
  historyFile?: string;
  /** What the greeting says, printed by ready(). */
  greeting?: string;
}

const HISTORY_SIZE = 500;

export class ConsoleTerminal {
  readonly style: ConsoleStyle;
  readonly interactive: boolean;
  private readonly rl: Interface;
  private readonly out: Writable;
  private prompting = false;
  private closed = false;
  /** Lines typed before anyone listens (while `hermes up` starts), handed over on onLine. */
  private early: string[] | undefined = [];
  private lineListener: (line: string) => void = (line) => this.early?.push(line);
  private quitListener: () => void = () => {};

  constructor(private readonly opts: ConsoleTerminalOptions) {
    const { input, output } = opts;
    this.out = output;
    this.style = opts.style ?? PLAIN;
    this.interactive =
      opts.interactive ??
      ((input as { isTTY?: boolean }).isTTY === true && (output as { isTTY?: boolean }).isTTY === true);
    this.rl = this.interactive
      ? createInterface({
          input,
          output,
          terminal: true,
          historySize: HISTORY_SIZE,
          history: this.loadHistory(),
          removeHistoryDuplicates: true,
          prompt: `${paint(this.style, 'bold', 'hermes')}> `,
        })
      : createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
    this.rl.on('line', (line) => {
      this.remember(line);
      this.lineListener(line);
      if (this.prompting) this.rl.prompt();
    });
    if (this.interactive) {
      // Raw mode turns Ctrl-C into this event instead of a signal; Ctrl-D on an empty line closes.
      this.rl.on('SIGINT', () => this.quitListener());
      this.rl.on('close', () => {
        if (!this.closed) this.quitListener();
      });
    }
  }

  onLine(listener: (line: string) => void): void {
    this.lineListener = listener;
    const early = this.early ?? [];
    this.early = undefined;
    for (const line of early) listener(line);
  }

  /** Ctrl-C or Ctrl-D at the prompt. */
  onQuit(listener: () => void): void {
    this.quitListener = listener;
  }

  /** Everything is up: greet once and show the prompt. */
  ready(): void {
    if (this.closed || this.prompting) return;
    if (this.opts.greeting) this.print([paint(this.style, 'dim', this.opts.greeting)]);
    if (!this.interactive) return;
    this.prompting = true;
    this.rl.prompt();
  }

  /** Prints whole lines, above the prompt when one is shown. */
  print(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const text = `${lines.join('\n')}\n`;
    // After close() too: what chat still posts while the process stops is printed plainly.
    if (!this.prompting) {
      this.out.write(text);
      return;
    }
    // Back to where the prompt starts, clear it, print, and leave as many blank lines as the
    // typed line has rows above its cursor: readline's redraw moves up that many first.
    const rows = this.rl.getCursorPos().rows;
    moveCursor(this.out, 0, -rows);
    cursorTo(this.out, 0);
    clearScreenDown(this.out);
    this.out.write(text + '\n'.repeat(rows));
    this.rl.prompt(true);
  }

  /** Stops reading; the prompt line is cleared so what follows starts on a clean line. */
  close(): void {
    if (this.closed) return;
    if (this.prompting) {
      const rows = this.rl.getCursorPos().rows;
      moveCursor(this.out, 0, -rows);
      cursorTo(this.out, 0);
      clearScreenDown(this.out);
    }
    this.prompting = false;
    this.closed = true;
    this.rl.close();
  }

  private loadHistory(): string[] {
    const file = this.opts.historyFile;
    if (!file || !existsSync(file)) return [];
    try {
      // The file is oldest first, one line each; readline wants newest first.
      const all = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      const kept = all.slice(-HISTORY_SIZE);
      // Appended to on every line: cut it back now and then so it does not grow for ever.
      if (all.length > 2 * HISTORY_SIZE) writeFileSync(file, `${kept.join('\n')}\n`, { mode: 0o600 });
      return kept.reverse();
    } catch {
      return [];
    }
  }

  private remember(line: string): void {
    const file = this.opts.historyFile;
    if (!this.interactive || !file || line.trim() === '') return;
    try {
      appendFileSync(file, `${line.replace(/\n/g, ' ')}\n`, { mode: 0o600 });
    } catch {
      // History is a convenience: a read-only home must not break the console.
    }
  }
}
