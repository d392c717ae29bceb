/**
 * A permission request in the thread: the tool, its input in a truncated code block, who may
 * answer, when it expires, and the three buttons; once decided the same message without buttons,
 * saying who decided and when.
 */
import { AUTO_BY_PREFIX } from '../../bot/auto-approve.js';
import { EXPIRED_BY } from '../../jobs/decisions.js';
import type { Job } from '../../jobs/job.js';
import type { PermissionRequest } from '../../jobs/queries.js';
import { isTerminalState } from '../../jobs/states.js';
import { displayJson, readStoredJson } from '../../protocol/display-json.js';
import type { AccessPolicy } from '../access.js';
import { bold, code, codeBlock, context, message, section, text, time, truncate } from '../message.js';
import type { Block, ChatMessage, Span } from '../port.js';
import { UNVERIFIED_NOTE } from './events.js';
import { isUnsigned, statusWords } from './job-card.js';
import { joinSpans, who } from './people.js';

export interface PermissionLimits {
  detailChars: number;
  inputChars: number;
}

/** The button value: both ids, so an old button works after a restart without any lookup table. */
export const requestKey = (jobId: string, requestId: string): string => `${jobId} ${requestId}`;

export function parseRequestKey(value: string): { jobId: string; requestId: string } | undefined {
  const m = /^(\S{1,128}) (\S{1,128})$/.exec(value);
  return m ? { jobId: m[1]!, requestId: m[2]! } : undefined;
}

/**
 * Tool input as people read it: pretty JSON, strings without quotes, and every number exactly as
 * it was signed (`18446744073709551617`, `1.0`): what is approved is what will run.
 */
export function inputText(input: string): string {
  const value = readStoredJson(input);
  if (value === undefined) return input;
  if (value === null) return '(no input)';
  if (typeof value === 'string') return value;
  return displayJson(value, 2);
}

/** Who may answer: the owner and the approvers, by name, without pinging anyone. */
export function answerers(job: Job, platform: string, policy: AccessPolicy): Span[] {
  const parts: Span[][] = [who(job.owner, platform)];
  for (const u of policy.approvers)
    if (`${platform}:${u}` !== job.owner) parts.push([{ kind: 'user', id: u }]);
  for (const g of policy.approverRoles) parts.push([{ kind: 'group', id: g }]);
  if (policy.allowEveryone && policy.approvers.length === 0 && policy.approverRoles.length === 0) {
    parts.push([text('anyone here')]);
  }
  return joinSpans(parts, ', ');
}

function outcomeBlock(req: PermissionRequest, job: Job, platform: string): Block {
  const at: Span[] = req.decided_at ? [text(' at '), time(req.decided_at)] : [];
  if (req.status === 'approved') {
    const forJob = req.approve_scope === 'job';
    const auto = req.decided_by?.startsWith(`${AUTO_BY_PREFIX}:`);
    const label = auto ? '✅ Approved automatically' : forJob ? '✅ Approved for this job' : '✅ Approved';
    return section(bold(label), text(' by '), ...who(req.decided_by ?? 'unknown', platform), ...at);
  }
  if (req.status === 'denied') {
    const reason: Span[] = req.reason ? [text(': '), text(truncate(req.reason, 500))] : [];
    return section(
      bold('⛔ Denied'),
      text(' by '),
      ...who(req.decided_by ?? 'unknown', platform),
      ...at,
      ...reason,
    );
  }
  if (req.status === 'expired' && req.decided_by === EXPIRED_BY) {
    return section(bold('⌛ Expired, denied'), ...at);
  }
  // The job ended first (the relay marks its open requests expired; a cancel leaves them pending).
  return section(bold('⌛ Closed'), text(`: no answer before the job ${statusWords(job.status)}`));
}

export function renderPermission(
  req: PermissionRequest,
  job: Job,
  platform: string,
  policy: AccessPolicy,
  limits: PermissionLimits,
): ChatMessage {
  const open = req.status === 'pending' && !isTerminalState(job.status);
  const key = requestKey(job.id, req.request_id);
  const blocks: Block[] = [section(bold('🔐 Permission needed: '), code(truncate(req.tool, 100)))];
  if (req.detail) blocks.push(section(text(truncate(req.detail, limits.detailChars))));
  blocks.push(codeBlock(truncate(inputText(req.input), limits.inputChars)));
  // The request itself came unsigned: whoever answers should know nothing vouches for it.
  if (isUnsigned(job)) blocks.push(context(text(UNVERIFIED_NOTE)));
  if (open) {
    const expiry: Span[] = req.expires_at ? [text(' · expires '), time(req.expires_at)] : [];
    blocks.push(context(text('Who may answer: '), ...answerers(job, platform, policy), ...expiry));
    blocks.push({
      kind: 'actions',
      buttons: [
        { action: 'approve', label: 'Approve', style: 'primary', value: key },
        { action: 'approve_job', label: `Approve ${truncate(req.tool, 40)} for this job`, value: key },
        { action: 'deny', label: 'Deny', style: 'danger', value: key },
      ],
    });
  } else {
    blocks.push(outcomeBlock(req, job, platform));
  }
  const state = open ? 'permission needed' : req.status;
  const mark = isUnsigned(job) ? ' (unverified)' : '';
  return message(`${job.id}: ${state} for ${truncate(req.tool, 100)}${mark}`, ...blocks);
}

/** The one reminder for a request nobody answered: mentions the approvers (or the owner). */
export function renderReminder(
  req: PermissionRequest,
  job: Job,
  platform: string,
  policy: AccessPolicy,
): ChatMessage {
  const pings: Span[][] = [
    ...policy.approvers.map((u): Span[] => [{ kind: 'user', id: u, notify: true }]),
    ...policy.approverRoles.map((g): Span[] => [{ kind: 'group', id: g, notify: true }]),
  ];
  if (pings.length === 0) pings.push(who(job.owner, platform, true));
  const expiry: Span[] = req.expires_at ? [text(' It expires '), time(req.expires_at), text('.')] : [];
  return message(
    `Reminder: ${job.id} is waiting for approval of ${truncate(req.tool, 100)}`,
    section(
      bold('⏰ Still waiting'),
      text(' for an answer on '),
      code(truncate(req.tool, 100)),
      text(' since '),
      time(req.requested_at),
      text('. '),
      ...joinSpans(pings, ' '),
      ...expiry,
    ),
  );
}
