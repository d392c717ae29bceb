/**
 * The boundary between the chat core (src/chat) and a chat platform (adapters/slack, adapters/discord,
 * adapters/console). Two directions, both platform-neutral:
 *
 * - Outbound, `ChatPort`: the core says WHAT to show (a `ChatMessage` made of a few block kinds);
 *   the adapter decides HOW it looks (Block Kit, Discord components, terminal lines), escapes every
 *   text span, and keeps agent text from pinging or linking anyone.
 * - Inbound, `ChatInbound`: the adapter translates a platform payload (slash command, button click,
 *   modal submission) into ONE call of the core, with the capabilities that only exist while a
 *   person is interacting (`reply` privately, `openReasonPrompt`). It knows nothing else.
 *
 * Ids are opaque strings the adapter chooses (Slack: channel id + message ts; Discord: channel or
 * thread id + message snowflake). The core stores them and hands them back unchanged.
 */

// ---------------------------------------------------------------------------------------------
// Message model
// ---------------------------------------------------------------------------------------------

/**
 * A run of inline content. All `text` is literal: adapters escape it (Slack `&`, `<`, `>`; Discord
 * markdown) so it can never become a mention, a link or markup. Only the core creates `user`,
 * `group` and `link` spans, never from agent text.
 *
 * @example
 * const spans: Span[] = [
 *   { kind: 'text', text: 'Approved by ' },
 *   { kind: 'user', id: 'U0ALICE001' },
 *   { kind: 'text', text: ' at ' },
 *   { kind: 'time', iso: '2026-06-21T10:00:00.000Z' },
 * ];
 */
export type Span =
  | { kind: 'text'; text: string; style?: 'bold' | 'italic' | 'code' }
  /** A person on this platform. `notify: true` is a deliberate ping (reminders); otherwise adapters avoid pinging where the platform allows. */
  | { kind: 'user'; id: string; notify?: boolean }
  /** A Slack user group / Discord role. */
  | { kind: 'group'; id: string; notify?: boolean }
  /** A link the core made (a thread permalink). Never built from agent text. */
  | { kind: 'link'; url: string; label: string }
  /** A point in time; adapters may render it in the reader's time zone. */
  | { kind: 'time'; iso: string };

/** A labelled value in a `fields` block (the job card's Job / Profile / Runner / Owner). */
export interface Field {
  label: string;
  value: Span[];
}

/** What a button does when clicked. The adapter namespaces it on the wire (Slack `hermes:approve`). */
export type ActionId = 'approve' | 'approve_job' | 'deny';
export const ACTION_IDS: readonly ActionId[] = ['approve', 'approve_job', 'deny'];

/**
 * A button. `value` is opaque to the adapter: it comes back verbatim in `ActionInput.value`.
 *
 * @example
 * const b: Button = { action: 'deny', label: 'Deny', style: 'danger', value: 'j-abc r-123' };
 */
export interface Button {
  action: ActionId;
  label: string;
  style?: 'primary' | 'danger';
  value: string;
  /**
   * `approve_job`: the rule it grants, in full, for adapters that show the button as a text command
   * (the console). Never put into a platform id: the core looks the rule up itself on a click.
   */
  rule?: string;
}

export type Block =
  /** A paragraph. */
  | { kind: 'section'; spans: Span[] }
  | { kind: 'fields'; fields: Field[] }
  /** Preformatted, untrusted text (tool input, pane lines). Adapters fence it so it cannot break out. */
  | { kind: 'code'; text: string }
  /** Small print under a message (who may answer, when it expires). */
  | { kind: 'context'; spans: Span[] }
  | { kind: 'actions'; buttons: Button[] };

/**
 * One chat message. `summary` is plain text (no markup, escaped like any text): the notification
 * line and the fallback where blocks are not shown.
 *
 * @example
 * const m: ChatMessage = {
 *   summary: 'j-abc: permission needed for Bash',
 *   blocks: [
 *     { kind: 'section', spans: [{ kind: 'text', text: 'Permission needed: ', style: 'bold' }, { kind: 'text', text: 'Bash' }] },
 *     { kind: 'code', text: '{"command":"npm test"}' },
 *     { kind: 'actions', buttons: [{ action: 'approve', label: 'Approve', style: 'primary', value: 'j-abc r-1' }] },
 *   ],
 * };
 */
export interface ChatMessage {
  summary: string;
  blocks: Block[];
}

// ---------------------------------------------------------------------------------------------
// Outbound
// ---------------------------------------------------------------------------------------------

/** A message the adapter posted, as it needs it to edit or link it later. */
export interface MessageRef {
  channel: string;
  id: string;
}

/** A file posted into a thread (a worktree job's patch). */
export interface ChatFile {
  /** `j-abc.patch`. */
  name: string;
  content: Buffer;
  /** Plain text shown with the file; adapters escape it like any text. */
  comment: string;
}

/** Where a job's thread lives (Slack: channel + parent ts; Discord: the thread channel). */
export interface ThreadRef {
  channel: string;
  id: string;
}

/**
 * What the core needs from a chat platform. Every method either succeeds or rejects; the core
 * records what was delivered and retries what was not (so an adapter never needs its own outbox).
 * Rate limits (Slack 429 Retry-After) are the adapter's SDK's business: a call resolves once the
 * platform accepted it, however long that took.
 *
 * @example
 * const { card, thread } = await port.postJobCard('C0JOBS0001', renderCard(job));
 * const status = await port.postInThread(thread, { summary: 'working', blocks: [] });
 * await port.edit(status, { summary: 'still working', blocks: [] });
 * await port.announce('C0JOBS0001', { summary: 'j-abc completed', blocks: [] });
 */
export interface ChatPort {
  /** `slack`, `discord`, `console`, …: prefixes owners (`slack:U123`) and keys stored state. */
  readonly platform: string;
  /**
   * Spacing the core keeps between non-urgent calls (progress edits) in one channel, in ms.
   * Slack allows about one message per second per channel; the console needs none.
   */
  readonly channelIntervalMs: number;

  /** Posts the job's card in a channel and opens the job's thread on it (Discord: a thread). */
  postJobCard(channel: string, message: ChatMessage): Promise<{ card: MessageRef; thread: ThreadRef }>;
  /** Posts into a job's thread. */
  postInThread(thread: ThreadRef, message: ChatMessage): Promise<MessageRef>;
  /** Posts in the channel itself, outside any thread (completed / error announcements). */
  announce(channel: string, message: ChatMessage): Promise<MessageRef>;
  /** Replaces a posted message's content (buttons removed when the new content has none). */
  edit(message: MessageRef, content: ChatMessage): Promise<void>;
  /** A URL that opens the message (or the thread it starts), if the platform has one. */
  linkTo(message: MessageRef): Promise<string | undefined>;
  /**
   * Files into threads (Slack files.uploadV2, Discord an attachment). Absent where the platform
   * takes no files (the console): the core then shows the table alone. One member, so a port that
   * attaches cannot leave out its size limit (a missing one once meant an empty file).
   */
  readonly attachments?: FileAttachments;
}

export interface FileAttachments {
  /** The largest file `attach` takes, in bytes. */
  readonly maxBytes: number;
  attach(thread: ThreadRef, file: ChatFile): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Inbound
// ---------------------------------------------------------------------------------------------

/**
 * Who is interacting. `user` is the platform's id (`U0ALICE001`, a Discord snowflake). `roles` are
 * the Slack user groups / Discord roles the adapter knows the person has (only those the policy
 * names need to be resolved).
 */
export interface Actor {
  platform: string;
  user: string;
  roles?: readonly string[];
}

/** Common to every inbound call: who, where, and how to answer that person only. */
export interface Interaction {
  actor: Actor;
  /** The channel it happened in (for commands: where a registered job's card goes). */
  channel: string;
  /** Answers the actor privately (Slack ephemeral, Discord ephemeral reply, a console line). */
  reply(message: ChatMessage): Promise<void>;
}

/** `/hermes <text>`: `text` is everything after the command name. */
export interface CommandInput extends Interaction {
  text: string;
}

/** Asked of a person through a platform modal; the answer arrives as `handleReasonSubmitted`. */
export interface ReasonPrompt {
  title: string;
  label: string;
  submitLabel: string;
  placeholder?: string;
  maxLength: number;
  /** Opaque; the adapter carries it through the modal (Slack private_metadata, Discord custom_id). */
  token: string;
}

/** A button click. */
export interface ActionInput extends Interaction {
  action: ActionId;
  /** The button's `value`, verbatim. */
  value: string;
  /** The message that carries the button, when the platform says. */
  message?: MessageRef;
  /**
   * Opens a reason prompt for the actor (Slack views.open with the trigger id, Discord
   * showModal). Absent where the platform has no modals. The core calls it before anything slow,
   * so an adapter that must answer with the modal itself (Discord) can.
   */
  openReasonPrompt?(prompt: ReasonPrompt): Promise<void>;
}

/** A reason prompt was submitted. */
export interface ReasonInput extends Interaction {
  token: string;
  reason: string;
}

/**
 * A person's plain message in a job's thread (Slack: a thread reply; Discord: a message in the
 * job's thread channel): a follow-up for the job's agent when the person may send one, otherwise
 * ignored (people talk in threads). `thread` is the ThreadRef the core got from `postJobCard`.
 */
export interface ThreadMessageInput extends Interaction {
  thread: ThreadRef;
  text: string;
}

/**
 * The one entry into the core. Each call resolves when the core is done (it never rejects for a
 * person's mistake: those are answered with `reply`); adapters acknowledge the platform first.
 */
export interface ChatInbound {
  handleCommand(input: CommandInput): Promise<void>;
  handleAction(input: ActionInput): Promise<void>;
  handleReasonSubmitted(input: ReasonInput): Promise<void>;
  handleThreadMessage(input: ThreadMessageInput): Promise<void>;
}
