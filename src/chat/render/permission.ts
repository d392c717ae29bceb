/**
 * A permission request in the thread: the tool, its input in a truncated code block, who may
 * answer, when it expires, and the three buttons; once decided the same message without buttons,
 * saying who decided and when.
 */
import { AUTO_BY_PREFIX } from '../../bot/auto-approve.js';
import { EXPIRED_BY } from '../../jobs/decisions.js';
import type { GrantedRule, RequestRules } from '../../jobs/granted-rules.js';
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

/** What the rules said about the request (bot migration 5); absent for requests older than rules. */
export interface PermissionRules {
  request?: RequestRules | undefined;
  /** Rules granted together with this request's decision. */
  grants: readonly GrantedRule[];
}

/** Longest rule shown inside a button label (Slack allows 75 characters, Discord 80). */
const LABEL_RULE_CHARS = 50;

/**
 * The rule "Approve <rule> for this job" grants: the proposal the bot stored; for a request older
 * than rules (its buttons still out there), the tool name, as that button always meant.
 */
export function proposedRule(req: PermissionRequest, rules: RequestRules | undefined): string | undefined {
  if (!rules) return req.tool;
  return rules.proposed_rule ?? undefined;
}

function autoRulesOf(rules: RequestRules | undefined): string[] {
  if (!rules?.auto_rules) return [];
  try {
    const v: unknown = JSON.parse(rules.auto_rules);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
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

/** "granting `Bash(npm test:*)` for this job", or nothing. */
function grantSpans(grants: readonly GrantedRule[], kind: 'allow' | 'deny'): Span[] {
  const mine = grants.filter((g) => g.kind === kind);
  if (mine.length === 0) return [];
  const verb = kind === 'allow' ? 'allowing' : 'denying';
  return [
    text(`, ${verb} `),
    ...joinSpans(
      mine.map((g) => [code(truncate(g.rule, 200))]),
      ', ',
    ),
    text(' for this job'),
  ];
}

function outcomeBlock(req: PermissionRequest, job: Job, platform: string, rules: PermissionRules): Block {
  const at: Span[] = req.decided_at ? [text(' at '), time(req.decided_at)] : [];
  const auto = autoRulesOf(rules.request);
  const byRules: Span[] =
    auto.length > 0
      ? [
          text(' by rule '),
          ...joinSpans(
            auto.map((r) => [code(truncate(r, 200))]),
            ', ',
          ),
          text(' (granted by '),
        ]
      : [];
  const granter = (by: string): Span[] =>
    by.startsWith(`${AUTO_BY_PREFIX}:`)
      ? who(by.slice(AUTO_BY_PREFIX.length + 1), platform)
      : who(by, platform);
  if (req.status === 'approved') {
    const forJob = req.approve_scope === 'job';
    const isAuto = req.decided_by?.startsWith(`${AUTO_BY_PREFIX}:`);
    if (isAuto && auto.length > 0)
      return section(
        bold('✅ Approved automatically'),
        ...byRules,
        ...granter(req.decided_by ?? ''),
        text(')'),
        ...at,
      );
    const label = isAuto ? '✅ Approved automatically' : forJob ? '✅ Approved for this job' : '✅ Approved';
    return section(
      bold(label),
      text(' by '),
      ...who(req.decided_by ?? 'unknown', platform),
      ...at,
      ...grantSpans(rules.grants, 'allow'),
    );
  }
  if (req.status === 'denied') {
    const reason: Span[] = req.reason ? [text(': '), text(truncate(req.reason, 500))] : [];
    if (req.decided_by?.startsWith(`${AUTO_BY_PREFIX}:`) && auto.length > 0)
      return section(
        bold('⛔ Denied automatically'),
        ...byRules,
        ...granter(req.decided_by),
        text(')'),
        ...at,
      );
    return section(
      bold('⛔ Denied'),
      text(' by '),
      ...who(req.decided_by ?? 'unknown', platform),
      ...at,
      ...grantSpans(rules.grants, 'deny'),
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
  rules: PermissionRules = { grants: [] },
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
    const why = rules.request?.ask_rule
      ? [
          context(
            text('Asked by rule '),
            code(truncate(rules.request.ask_rule, 200)),
            text(': a person answers every such call.'),
          ),
        ]
      : rules.request?.reason
        ? [context(text(`Why asked: ${truncate(rules.request.reason, 300)}`))]
        : [];
    blocks.push(...why);
    const proposed = proposedRule(req, rules.request);
    // The button's value stays the request key: the rule is looked up server-side when clicked.
    if (proposed && proposed.length > LABEL_RULE_CHARS)
      blocks.push(
        context(
          text('“Approve … for this job” allows '),
          code(truncate(proposed, 500)),
          text(' for the rest of the job.'),
        ),
      );
    blocks.push(context(text('Who may answer: '), ...answerers(job, platform, policy), ...expiry));
    blocks.push({
      kind: 'actions',
      buttons: [
        { action: 'approve', label: 'Approve', style: 'primary', value: key },
        ...(proposed
          ? [
              {
                action: 'approve_job' as const,
                label: `Approve ${truncate(proposed, LABEL_RULE_CHARS)} for this job`,
                value: key,
                rule: proposed,
              },
            ]
          : []),
        { action: 'deny', label: 'Deny', style: 'danger', value: key },
      ],
    });
  } else {
    blocks.push(outcomeBlock(req, job, platform, rules));
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
