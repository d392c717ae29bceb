/**
 * The state behind the Slack Web API stand-in: the messages the app posted (so chat.update and
 * chat.getPermalink can answer like Slack), opened views, directory data the test configures.
 */
import { SLACK } from './ids.js';

export interface SlackUserRecord {
  name: string;
  real_name?: string;
  is_bot?: boolean;
  is_admin?: boolean;
  deleted?: boolean;
}

export interface SlackChannelRecord {
  name: string;
  is_private?: boolean;
  is_member?: boolean;
}

export interface WorkspaceOptions {
  /** Usergroup id (S…) -> member user ids, for usergroups.users.list. */
  usergroups?: Record<string, string[]>;
  /** Extra users for users.info (the bot and SLACK.user are always there). */
  users?: Record<string, SlackUserRecord>;
  /** Extra channels for conversations.info (SLACK.channelId is always there). */
  channels?: Record<string, SlackChannelRecord>;
  now?: () => number;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown;
  attachments?: unknown;
  metadata?: unknown;
  edited?: { user: string; ts: string };
}

/** A file of the upload flow (files.getUploadURLExternal -> POST to its URL -> files.completeUploadExternal). */
export interface StoredFile {
  id: string;
  filename: string;
  /** The length files.getUploadURLExternal was told. */
  length: number;
  /** What was POSTed to the upload URL; undefined until then. */
  bytes?: Buffer;
  title?: string;
  /** Set by files.completeUploadExternal. */
  shared?: {
    channel: string | undefined;
    thread_ts: string | undefined;
    initial_comment: string | undefined;
  };
}

export class SlackWorkspace {
  readonly messages = new Map<string, StoredMessage>();
  readonly files = new Map<string, StoredFile>();
  readonly views = new Map<string, Record<string, unknown>>();
  readonly usedTriggers = new Set<string>();
  readonly users: Record<string, SlackUserRecord>;
  readonly channels: Record<string, SlackChannelRecord>;
  readonly usergroups: Record<string, string[]>;
  readonly now: () => number;
  private lastTs: [number, number] = [0, 0];
  private viewCounter = 0;

  constructor(opts: WorkspaceOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.usergroups = { ...opts.usergroups };
    this.users = {
      [SLACK.user.id]: { name: SLACK.user.username, real_name: SLACK.user.name },
      [SLACK.botUserId]: { name: SLACK.botName, real_name: 'Hermes', is_bot: true },
      ...opts.users,
    };
    this.channels = { [SLACK.channelId]: { name: SLACK.channelName, is_member: true }, ...opts.channels };
  }

  /** Slack message ts: seconds, a dot, six digits; unique and increasing within the workspace. */
  nextTs(): string {
    const seconds = Math.floor(this.now() / 1000);
    const [lastSeconds, lastMicros] = this.lastTs;
    this.lastTs = seconds > lastSeconds ? [seconds, 100] : [lastSeconds, lastMicros + 100];
    return `${this.lastTs[0]}.${String(this.lastTs[1]).padStart(6, '0')}`;
  }

  nextFileId(): string {
    return `F0FAKE${String(this.files.size + 1).padStart(5, '0')}`;
  }

  /** Files shared into a thread (or channel), in upload order. */
  sharedFiles(channel: string, threadTs?: string): StoredFile[] {
    return [...this.files.values()].filter(
      (f) => f.shared?.channel === channel && (threadTs === undefined || f.shared.thread_ts === threadTs),
    );
  }

  nextViewId(): string {
    this.viewCounter += 1;
    return `V0FAKE${String(this.viewCounter).padStart(5, '0')}`;
  }

  message(channel: string, ts: string): StoredMessage | undefined {
    return this.messages.get(`${channel}:${ts}`);
  }

  saveMessage(message: StoredMessage): void {
    this.messages.set(`${message.channel}:${message.ts}`, message);
  }

  /** Channel ids Slack would know: configured ones, or anything shaped like a C/G/D id. */
  channelExists(id: unknown): id is string {
    return typeof id === 'string' && (id in this.channels || /^[CGD][A-Z0-9]{2,}$/.test(id));
  }

  channelInfo(id: string): Record<string, unknown> {
    const record = this.channels[id] ?? { name: `channel-${id.toLowerCase()}`, is_member: true };
    return {
      id,
      name: record.name,
      name_normalized: record.name,
      is_channel: !record.is_private,
      is_group: false,
      is_im: false,
      is_private: record.is_private ?? false,
      is_archived: false,
      is_member: record.is_member ?? true,
      created: 1_700_000_000,
      creator: SLACK.user.id,
      topic: { value: '', creator: '', last_set: 0 },
      purpose: { value: '', creator: '', last_set: 0 },
    };
  }

  userInfo(id: string): Record<string, unknown> | undefined {
    const record = this.users[id];
    if (record === undefined) return undefined;
    const realName = record.real_name ?? record.name;
    return {
      id,
      team_id: SLACK.teamId,
      name: record.name,
      real_name: realName,
      deleted: record.deleted ?? false,
      is_bot: record.is_bot ?? false,
      is_admin: record.is_admin ?? false,
      tz: 'Europe/Berlin',
      profile: { display_name: record.name, real_name: realName, team: SLACK.teamId },
    };
  }
}
