/**
 * An in-memory chat platform for the core's tests (and the contract suite's reference): it records
 * every message, edit and private reply, and can play the people too: run a command, click a
 * button of a posted message, submit a reason prompt. Optional failures make delivery retry paths
 * testable.
 */
import { plainText } from './message.js';
import type {
  ActionId,
  Actor,
  ChatFile,
  ChatInbound,
  ChatMessage,
  ChatPort,
  FileAttachments,
  MessageRef,
  ReasonPrompt,
  ThreadRef,
} from './port.js';

export type MemoryMethod = 'postJobCard' | 'postInThread' | 'announce' | 'edit' | 'linkTo' | 'attach';

export interface MemoryMessage {
  ref: MessageRef;
  kind: 'card' | 'thread' | 'announcement';
  /** The thread it was posted into (thread messages). */
  thread?: ThreadRef;
  content: ChatMessage;
  /** Earlier contents, oldest first (one per edit). */
  edits: ChatMessage[];
}

export interface MemoryCall {
  method: MemoryMethod;
  channel: string;
  at: number;
}

export interface PrivateReply {
  user: string;
  channel: string;
  content: ChatMessage;
}

export class MemoryChatPort implements ChatPort {
  readonly messages: MemoryMessage[] = [];
  readonly calls: MemoryCall[] = [];
  readonly replies: PrivateReply[] = [];
  readonly prompts: Array<{ user: string; prompt: ReasonPrompt }> = [];
  /** Files attached, in order, with the thread each went into. */
  readonly files: Array<{ thread: ThreadRef; file: ChatFile }> = [];
  /** Settable: a small limit makes the core's cut testable. */
  maxFileBytes = 1024 * 1024;
  /** A getter: tests set maxFileBytes after the port is made. */
  get attachments(): FileAttachments {
    return { maxBytes: this.maxFileBytes, attach: (thread, file) => this.attach(thread, file) };
  }
  private readonly failures = new Map<MemoryMethod, Error[]>();
  private counter = 0;

  constructor(
    readonly platform = 'memory',
    readonly channelIntervalMs = 0,
    private readonly now: () => number = Date.now,
  ) {}

  /** The next call of `method` rejects with `error` (queued). */
  failNext(method: MemoryMethod, error: Error = new Error(`${method} failed (test)`)): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  private call(method: MemoryMethod, channel: string): void {
    this.calls.push({ method, channel, at: this.now() });
    const failure = this.failures.get(method)?.shift();
    if (failure) throw failure;
  }

  private add(
    kind: MemoryMessage['kind'],
    channel: string,
    content: ChatMessage,
    thread?: ThreadRef,
  ): MemoryMessage {
    const m: MemoryMessage = {
      ref: { channel, id: `m${++this.counter}` },
      kind,
      content,
      edits: [],
      ...(thread ? { thread } : {}),
    };
    this.messages.push(m);
    return m;
  }

  async postJobCard(channel: string, content: ChatMessage): Promise<{ card: MessageRef; thread: ThreadRef }> {
    this.call('postJobCard', channel);
    const m = this.add('card', channel, content);
    return { card: m.ref, thread: { channel, id: m.ref.id } };
  }

  async postInThread(thread: ThreadRef, content: ChatMessage): Promise<MessageRef> {
    this.call('postInThread', thread.channel);
    return this.add('thread', thread.channel, content, thread).ref;
  }

  async announce(channel: string, content: ChatMessage): Promise<MessageRef> {
    this.call('announce', channel);
    return this.add('announcement', channel, content).ref;
  }

  async edit(ref: MessageRef, content: ChatMessage): Promise<void> {
    this.call('edit', ref.channel);
    const m = this.find(ref);
    if (!m) throw new Error(`message_not_found: ${ref.channel}/${ref.id}`);
    m.edits.push(m.content);
    m.content = content;
  }

  async linkTo(ref: MessageRef): Promise<string | undefined> {
    this.call('linkTo', ref.channel);
    return `memory://${ref.channel}/${ref.id}`;
  }

  async attach(thread: ThreadRef, file: ChatFile): Promise<void> {
    this.call('attach', thread.channel);
    this.files.push({ thread, file });
  }

  find(ref: MessageRef): MemoryMessage | undefined {
    return this.messages.find((m) => m.ref.channel === ref.channel && m.ref.id === ref.id);
  }

  /** The card whose summary names the job. */
  card(jobId: string): MemoryMessage | undefined {
    return this.messages.find((m) => m.kind === 'card' && m.content.summary.includes(jobId));
  }

  /** The job's thread, card first, in posting order. */
  thread(jobId: string): MemoryMessage[] {
    const card = this.card(jobId);
    if (!card) return [];
    return [
      card,
      ...this.messages.filter((m) => m.thread?.id === card.ref.id && m.thread.channel === card.ref.channel),
    ];
  }

  announcements(channel?: string): MemoryMessage[] {
    return this.messages.filter(
      (m) => m.kind === 'announcement' && (channel === undefined || m.ref.channel === channel),
    );
  }

  /** Plain text of each message in the job's thread (as it reads now). */
  threadText(jobId: string): string[] {
    return this.thread(jobId).map((m) => plainText(m.content));
  }

  /** People acting on this chat through `inbound` (as an adapter would deliver them). */
  people(inbound: ChatInbound, defaultChannel = 'C1'): MemoryPeople {
    return new MemoryPeople(this, inbound, defaultChannel);
  }
}

export interface ActAs {
  channel?: string;
  roles?: readonly string[];
}

export class MemoryPeople {
  constructor(
    private readonly port: MemoryChatPort,
    private readonly inbound: ChatInbound,
    private readonly defaultChannel: string,
  ) {}

  private actor(user: string, as: ActAs): Actor {
    return { platform: this.port.platform, user, ...(as.roles ? { roles: as.roles } : {}) };
  }

  private replier(user: string, channel: string, into: ChatMessage[]) {
    return async (content: ChatMessage) => {
      into.push(content);
      this.port.replies.push({ user, channel, content });
    };
  }

  /** `/hermes <text>` by `user`; resolves with the private replies it got. */
  async command(user: string, text: string, as: ActAs = {}): Promise<ChatMessage[]> {
    const channel = as.channel ?? this.defaultChannel;
    const got: ChatMessage[] = [];
    await this.inbound.handleCommand({
      actor: this.actor(user, as),
      channel,
      text,
      reply: this.replier(user, channel, got),
    });
    return got;
  }

  /** Clicks the button `action` on a posted message; resolves with replies and any reason prompt opened. */
  async click(
    ref: MessageRef,
    action: ActionId,
    user: string,
    as: ActAs = {},
  ): Promise<{ replies: ChatMessage[]; prompt: ReasonPrompt | undefined }> {
    const m = this.port.find(ref);
    const button = m?.content.blocks
      .flatMap((b) => (b.kind === 'actions' ? b.buttons : []))
      .find((b) => b.action === action);
    if (!button) throw new Error(`no ${action} button on ${ref.channel}/${ref.id}`);
    return this.clickValue(ref, action, button.value, user, as);
  }

  /** A click carrying a given value (an old message, a forged payload). */
  async clickValue(
    ref: MessageRef,
    action: ActionId,
    value: string,
    user: string,
    as: ActAs = {},
  ): Promise<{ replies: ChatMessage[]; prompt: ReasonPrompt | undefined }> {
    const channel = as.channel ?? ref.channel;
    const replies: ChatMessage[] = [];
    let prompt: ReasonPrompt | undefined;
    await this.inbound.handleAction({
      actor: this.actor(user, as),
      channel,
      action,
      value,
      message: ref,
      reply: this.replier(user, channel, replies),
      openReasonPrompt: async (p) => {
        prompt = p;
        this.port.prompts.push({ user, prompt: p });
      },
    });
    return { replies, prompt };
  }

  /** Submits a reason prompt opened earlier. */
  async submitReason(
    prompt: ReasonPrompt,
    user: string,
    reason: string,
    as: ActAs = {},
  ): Promise<ChatMessage[]> {
    const channel = as.channel ?? this.defaultChannel;
    const got: ChatMessage[] = [];
    await this.inbound.handleReasonSubmitted({
      actor: this.actor(user, as),
      channel,
      token: prompt.token,
      reason,
      reply: this.replier(user, channel, got),
    });
    return got;
  }

  /** A plain message by `user` in the thread `thread` (as postJobCard returned it). */
  async inThread(thread: ThreadRef, user: string, text: string, as: ActAs = {}): Promise<ChatMessage[]> {
    const channel = as.channel ?? this.defaultChannel;
    const got: ChatMessage[] = [];
    await this.inbound.handleThreadMessage({
      actor: this.actor(user, as),
      channel,
      thread,
      text,
      reply: this.replier(user, channel, got),
    });
    return got;
  }
}
