/**
 * A person in Slack, played on the Slack stand-in: type `/hermes …`, find a job's card, thread and
 * permission buttons among the recorded Web API calls, click, fill the reason modal, and count
 * what the channel was shown. Works whether the bot runs in process or as `hermes bot`.
 */
import type { RecordedCall, SlackFake } from '../fakes/slack/index.js';

/** Every mrkdwn / plain text string in a Block Kit payload. */
export function blockTexts(blocks: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  walk(blocks);
  return out;
}

/** The buttons of a Block Kit payload's actions blocks. */
export function buttonsOf(blocks: unknown): Array<{ action_id: string; value: string }> {
  const out: Array<{ action_id: string; value: string }> = [];
  for (const b of (blocks ?? []) as Array<{ type: string; elements?: Array<Record<string, string>> }>) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements ?? [])
      if (e.type === 'button') out.push({ action_id: e.action_id!, value: e.value! });
  }
  return out;
}

/** Envelope acks wait longer than Slack's 3 s: the bot process shares two busy cores. */
const ACK_TIMEOUT_MS = 30_000;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ok = (c: RecordedCall) => c.status === 200 && (c.response as { ok?: boolean }).ok === true;
const tsOf = (c: RecordedCall) => (c.response as { ts: string }).ts;

/** Successful chat.postMessage calls, oldest first. */
export function posts(slack: SlackFake): RecordedCall[] {
  return slack.api.calls.filter((c) => c.method === 'chat.postMessage' && ok(c));
}

/** Channel messages (not in a thread) that announce the end of the job. */
export function announcements(slack: SlackFake, jobId: string): RecordedCall[] {
  const re = new RegExp(`^Job ${escapeRe(jobId)} (completed|ended with an error) after`);
  return posts(slack).filter((c) => c.args.thread_ts === undefined && re.test(String(c.args.text)));
}

/** Texts posted more than once (the same message twice is a notification posted twice). */
export function postedTwice(calls: RecordedCall[]): string[] {
  const seen = new Map<string, number>();
  for (const c of calls) seen.set(String(c.args.text), (seen.get(String(c.args.text)) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([t]) => t);
}

export interface JobCard {
  jobId: string;
  /** ts of the card, which is also the thread's ts. */
  ts: string;
}

const CARD_RE = /^Job (j-[A-Za-z0-9_-]+) \(/;

/** Every job card posted so far (channel messages `Job J (profile) …`), oldest first. */
export function cards(slack: SlackFake): JobCard[] {
  return posts(slack)
    .filter((c) => c.args.thread_ts === undefined && CARD_RE.test(String(c.args.text)))
    .map((c) => ({ jobId: CARD_RE.exec(String(c.args.text))![1]!, ts: tsOf(c) }));
}

/**
 * `/hermes <text>` typed by the stand-in's user in its channel; resolves with the card it made.
 * Commands sent at the same time must each name a `marker` that only their own card shows (a
 * unique word of the prompt); without one the first card that was not there before is taken.
 */
export async function slashRegister(
  slack: SlackFake,
  text: string,
  opts: { marker?: string; timeoutMs?: number } = {},
): Promise<JobCard> {
  const before = new Set(cards(slack).map((c) => c.jobId));
  const mine = (c: RecordedCall) => {
    const m = CARD_RE.exec(String(c.args.text));
    if (!ok(c) || c.args.thread_ts !== undefined || !m) return false;
    return opts.marker === undefined
      ? !before.has(m[1]!)
      : blockTexts(c.args.blocks).some((t) => t.includes(opts.marker!));
  };
  await slack.socket.send('slash_commands', slack.payloads.slashCommand({ text }), {
    timeoutMs: ACK_TIMEOUT_MS,
  });
  const card = await slack.api.waitForCall('chat.postMessage', mine, opts.timeoutMs ?? 30_000);
  return { jobId: CARD_RE.exec(String(card.args.text))![1]!, ts: tsOf(card) };
}

export interface PermissionMessage {
  ts: string;
  threadTs: string;
  /** `job request` (what every button of the message carries). */
  value: string;
  texts: string[];
}

function permissionFrom(c: RecordedCall): PermissionMessage {
  const buttons = buttonsOf(c.args.blocks);
  return {
    ts: tsOf(c),
    threadTs: String(c.args.thread_ts),
    value: buttons[0]!.value,
    texts: blockTexts(c.args.blocks),
  };
}

const isPermissionOf = (jobId: string) => (c: RecordedCall) =>
  ok(c) &&
  c.args.thread_ts !== undefined &&
  buttonsOf(c.args.blocks).some((b) => b.action_id === 'hermes:approve' && b.value.startsWith(`${jobId} `));

/** The permission request message of the job in its thread, with its buttons (waits for it). */
export async function permissionMessage(
  slack: SlackFake,
  jobId: string,
  timeoutMs = 30_000,
): Promise<PermissionMessage> {
  return permissionFrom(await slack.api.waitForCall('chat.postMessage', isPermissionOf(jobId), timeoutMs));
}

/** Every permission request message posted so far, for any job. */
export function permissionMessages(slack: SlackFake): Array<PermissionMessage & { jobId: string }> {
  return posts(slack)
    .filter((c) => c.args.thread_ts !== undefined && buttonsOf(c.args.blocks).length > 0)
    .map((c) => {
      const m = permissionFrom(c);
      return { ...m, jobId: m.value.split(' ')[0]! };
    });
}

/** A click on one of the message's buttons (`approve`, `approve_job`, `deny`). */
export async function click(
  slack: SlackFake,
  msg: PermissionMessage,
  action: 'approve' | 'approve_job' | 'deny',
): Promise<void> {
  await slack.socket.send(
    'interactive',
    slack.payloads.blockActions({
      actionId: `hermes:${action}`,
      value: msg.value,
      messageTs: msg.ts,
      threadTs: msg.threadTs,
    }),
    { timeoutMs: ACK_TIMEOUT_MS },
  );
}

/** Deny with a reason: the Deny click opens the modal; submit it with `reason`. */
export async function denyWithReason(
  slack: SlackFake,
  msg: PermissionMessage,
  reason: string,
): Promise<void> {
  const opened = slack.api.calls.filter((c) => c.method === 'views.open').length;
  await click(slack, msg, 'deny');
  const open = await slack.api.waitForCall(
    'views.open',
    (c) => slack.api.calls.filter((x) => x.method === 'views.open').indexOf(c) >= opened,
    30_000,
  );
  const view = open.args.view as { private_metadata: string; callback_id: string };
  await slack.socket.send(
    'interactive',
    slack.payloads.viewSubmission({
      callbackId: view.callback_id,
      privateMetadata: view.private_metadata,
      values: { reason: { reason: { type: 'plain_text_input', value: reason } } },
    }),
    { timeoutMs: ACK_TIMEOUT_MS },
  );
}
