/**
 * ChatPort on a terminal. Each job's thread is printed under its job: every line of it starts with
 * the job id (taken from the card the core posts); edits are printed again, marked as updates;
 * channel announcements stand out with a marker. It records what it printed per message so tests
 * and the contract suite can read a message back.
 */
import type { Writable } from 'node:stream';
import type { ChatMessage, ChatPort, MessageRef, ThreadRef } from '../../src/chat/port.js';
import { toLines } from './blocks.js';
import { CONSOLE_PLATFORM } from './settings.js';

const JOB_ID = /\bj-[a-z0-9]{4,40}\b/;

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
  private readonly labels = new Map<string, string>();
  private counter = 0;

  constructor(private readonly out: Writable) {}

  private write(lines: string[]): void {
    this.out.write(`${lines.join('\n')}\n`);
  }

  private record(
    channel: string,
    label: string | undefined,
    content: ChatMessage,
    thread?: ThreadRef,
  ): MessageRef {
    const ref = { channel, id: String(++this.counter) };
    this.messages.set(ref.id, { ref, label, thread, content });
    return ref;
  }

  async postJobCard(channel: string, message: ChatMessage): Promise<{ card: MessageRef; thread: ThreadRef }> {
    const ref = this.record(channel, undefined, message);
    const label = JOB_ID.exec(message.summary)?.[0] ?? `#${ref.id}`;
    this.messages.get(ref.id)!.label = label;
    this.labels.set(ref.id, label);
    const [head, ...rest] = toLines(message);
    this.write([`┌─ ${head}`, ...rest.map((l) => `│ ${l}`)]);
    return { card: ref, thread: { channel, id: ref.id } };
  }

  async postInThread(thread: ThreadRef, message: ChatMessage): Promise<MessageRef> {
    const label = this.labels.get(thread.id) ?? `#${thread.id}`;
    const ref = this.record(thread.channel, label, message, thread);
    this.write(toLines(message).map((l) => `[${label}] ${l}`));
    return ref;
  }

  async announce(channel: string, message: ChatMessage): Promise<MessageRef> {
    const ref = this.record(channel, undefined, message);
    const [head, ...rest] = toLines(message);
    this.write([`📣 ${head}`, ...rest.map((l) => `   ${l}`)]);
    return ref;
  }

  async edit(ref: MessageRef, message: ChatMessage): Promise<void> {
    const m = this.messages.get(ref.id);
    if (!m) throw new Error(`no console message ${ref.id}`);
    m.content = message;
    const label = m.label ?? 'channel';
    this.write(toLines(message).map((l, i) => `[${label}] ${i === 0 ? '↻ ' : '  '}${l}`));
  }

  async linkTo(): Promise<string | undefined> {
    return undefined;
  }

  /** Something only the console's person sees (private replies, the banner). */
  whisper(message: ChatMessage): void {
    this.write(toLines(message).map((l) => `  (you) ${l}`));
  }
}
