/**
 * ChatPort on a terminal. Each job's thread is printed under its job: every line of it starts with
 * the job id (taken from the card the core posts); an edit is printed again, marked as an update,
 * as its first line and the lines that changed (a card that moved on prints one line, a decided
 * request its decision, not its tool input again); channel announcements stand out with a
 * marker. It records what it printed per message so tests and the contract suite can read a
 * message back.
 *
 * The core keeps message ids in SQLite across a `hermes up` restart, but this port's memory starts
 * empty: so ids are unique per run (`j-abc:<run>.<n>`, a random run prefix) and carry the job's
 * label, which lets a later run print a thread line or an edit of an earlier run's message under
 * the right job. An edit of a message this run never printed is printed as a new line.
 */
import { randomBytes } from 'node:crypto';
import type { Writable } from 'node:stream';
import type { ChatMessage, ChatPort, MessageRef, ThreadRef } from '../../src/chat/port.js';
import { toLines } from './blocks.js';
import { CONSOLE_PLATFORM } from './settings.js';
import { type ConsoleStyle, PLAIN, paint } from './style.js';

/** Where the port prints: the terminal (above its prompt), or any stream in tests. */
export interface ConsoleOutput {
  readonly style: ConsoleStyle;
  print(lines: readonly string[]): void;
}

export function streamOutput(out: Writable, style: ConsoleStyle = PLAIN): ConsoleOutput {
  return { style, print: (lines) => out.write(`${lines.join('\n')}\n`) };
}

const JOB_ID = /\bj-[a-z0-9]{4,40}\b/;

/** The job label an id carries (`j-abc:1a2b3c4d.7` -> `j-abc`). */
const labelOf = (id: string): string | undefined => {
  const colon = id.indexOf(':');
  return colon > 0 ? id.slice(0, colon) : undefined;
};

export interface ConsoleMessage {
  ref: MessageRef;
  /** The label of the thread it belongs to (the job id), for thread messages and cards. */
  label: string | undefined;
  /** The thread it was posted into (thread messages only). */
  thread: ThreadRef | undefined;
  content: ChatMessage;
}

export class ConsoleChatPort implements ChatPort {
  readonly platform = CONSOLE_PLATFORM;
  readonly channelIntervalMs = 0;
  readonly messages = new Map<string, ConsoleMessage>();
  private counter = 0;

  private readonly out: ConsoleOutput;

  /** `run`: what makes this run's ids differ from earlier runs' (random unless a test sets it). */
  constructor(
    out: ConsoleOutput | Writable,
    private readonly run: string = randomBytes(4).toString('hex'),
  ) {
    this.out = 'print' in out ? out : streamOutput(out);
  }

  private write(lines: string[]): void {
    this.out.print(lines);
  }

  private lines(m: ChatMessage): string[] {
    return toLines(m, this.out.style);
  }

  private tag(label: string): string {
    return paint(this.out.style, 'dim', `[${label}]`);
  }

  private record(
    channel: string,
    label: string | undefined,
    content: ChatMessage,
    thread?: ThreadRef,
  ): MessageRef {
    const n = `${this.run}.${++this.counter}`;
    const ref = { channel, id: label ? `${label}:${n}` : n };
    this.messages.set(ref.id, { ref, label, thread, content });
    return ref;
  }

  async postJobCard(channel: string, message: ChatMessage): Promise<{ card: MessageRef; thread: ThreadRef }> {
    const label = JOB_ID.exec(message.summary)?.[0];
    const ref = this.record(channel, label, message);
    if (!label) this.messages.get(ref.id)!.label = `#${ref.id}`;
    const [head, ...rest] = this.lines(message);
    this.write([`┌─ ${head}`, ...rest.map((l) => `│ ${l}`)]);
    return { card: ref, thread: { channel, id: ref.id } };
  }

  async postInThread(thread: ThreadRef, message: ChatMessage): Promise<MessageRef> {
    const label = labelOf(thread.id) ?? `#${thread.id}`;
    const ref = this.record(thread.channel, label, message, thread);
    this.write(this.lines(message).map((l) => `${this.tag(label)} ${l}`));
    return ref;
  }

  async announce(channel: string, message: ChatMessage): Promise<MessageRef> {
    const ref = this.record(channel, undefined, message);
    const [head, ...rest] = this.lines(message);
    this.write([`📣 ${paint(this.out.style, 'bold', head!)}`, ...rest.map((l) => `   ${l}`)]);
    return ref;
  }

  async edit(ref: MessageRef, message: ChatMessage): Promise<void> {
    let m = this.messages.get(ref.id);
    // What this run printed of it before; nothing for a message of an earlier run.
    const before = new Set(m ? toLines(m.content) : []);
    if (!m) {
      // Printed by an earlier run: print it again as an update, and know it from now on.
      m = { ref, label: labelOf(ref.id), thread: undefined, content: message };
      this.messages.set(ref.id, m);
    }
    m.content = message;
    const label = m.label ?? 'channel';
    const plain = toLines(message);
    const changed = this.lines(message).filter((_, i) => i === 0 || !before.has(plain[i]!));
    this.write(changed.map((l, i) => `${this.tag(label)} ${i === 0 ? '↻ ' : '  '}${l}`));
  }

  async linkTo(): Promise<string | undefined> {
    return undefined;
  }

  /** Something only the console's person sees (private replies, the banner). */
  whisper(message: ChatMessage): void {
    this.write(this.lines(message).map((l) => `  ${paint(this.out.style, 'dim', '(you)')} ${l}`));
  }
}
