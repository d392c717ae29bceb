/** What the thread and the channel show for agent events. Agent text is truncated, never trusted. */
import type { AutoTally } from '../../jobs/auto-decisions.js';
import type { Job } from '../../jobs/job.js';
import type { Refusal } from '../../jobs/refusal.js';
import { formatTokens, formatUsage, type Tokens, type Usage } from '../../jobs/usage.js';
import { bold, context, excerpt, message, section, text, time, truncate } from '../message.js';
import type { ChatMessage, Span } from '../port.js';
import { autoDecisionBlocks } from './auto-decisions.js';
import { formatDuration, who } from './people.js';

export interface EventView {
  jobId: string;
  seq: number;
  event: string;
  timestamp: string;
  detail: string | undefined;
  /** False for an unsigned event (a job registered with --no-auth); absent counts as verified. */
  verified?: boolean;
  /** A turn's end (`progress` with data.state idle): the agent's final text and the turn number. */
  result?: unknown;
  turn?: unknown;
}

/**
 * Said under anything an unsigned job's agent sent: nothing proves the agent sent it (anyone who
 * can publish to the broker could have), and people approving or reading it should know.
 */
export const UNVERIFIED_NOTE =
  '⚠ Unverified: this job is unsigned (registered with --no-auth), so anyone who can publish to the broker could have sent this.';

const unverified = (e: EventView) => e.verified === false;
const summarySuffix = (e: EventView) => (unverified(e) ? ' (unverified)' : '');
const unverifiedBlocks = (e: EventView) => (unverified(e) ? [context(text(UNVERIFIED_NOTE))] : []);

const detailSpans = (detail: string | undefined, max: number): Span[] =>
  detail ? [text(': '), text(truncate(detail, max))] : [];

export function renderStarted(e: EventView, max: number): ChatMessage {
  return message(
    `${e.jobId} started${summarySuffix(e)}`,
    section(bold('▶ Started'), ...detailSpans(e.detail, max)),
    ...unverifiedBlocks(e),
  );
}

/**
 * The one status message that progress events edit in place: the latest update, the job's
 * automatic decisions counted (`tally`), and its tokens so far (when the agent reports them).
 */
export function renderProgress(
  e: EventView,
  updates: number,
  max: number,
  tally?: AutoTally,
  tokens?: Tokens,
): ChatMessage {
  const auto =
    tally && tally.allowed + tally.denied > 0 ? ` · ${tally.allowed + tally.denied} auto-decided` : '';
  return message(
    `${e.jobId}: ${excerpt(e.detail ?? 'working', 120)}${auto}${summarySuffix(e)}`,
    section(bold('⏳ Working'), ...detailSpans(e.detail, max)),
    ...autoDecisionBlocks(tally, e.jobId),
    context(
      text('Last update '),
      time(e.timestamp),
      text(` · ${updates} update${updates === 1 ? '' : 's'} so far`),
    ),
    ...(tokens ? [context(text(`Tokens so far: ${formatTokens(tokens)}`))] : []),
    ...unverifiedBlocks(e),
  );
}

/** Time from the agent starting (or the job being registered) to its end. */
export function jobDuration(job: Job): number {
  const from = Date.parse(job.startedAt ?? job.createdAt);
  const to = Date.parse(job.endedAt ?? job.updatedAt);
  return Number.isNaN(from) || Number.isNaN(to) ? 0 : to - from;
}

const outcome = (event: string) => (event === 'completed' ? 'completed' : 'ended with an error');

const costSuffix = (usage: Usage | undefined) => (usage ? ` · ${formatUsage(usage)}` : '');

/**
 * Why an error came after a refusal: "Denied by @bob: not on a Friday (Write)", or that nobody
 * answered. Said in the thread and the announcement; the agent's own words stay the detail.
 */
function refusalBlocks(platform: string, r: Refusal | undefined, max: number): ChatMessage['blocks'] {
  if (!r) return [];
  if (r.by === undefined)
    return [section(bold('Not answered'), text(`: nobody answered the ${r.tool} request in time`))];
  return [
    section(
      bold('Denied'),
      text(' by '),
      ...who(r.by, platform),
      text(` (${r.tool})`),
      ...(r.reason ? [text(': '), text(truncate(r.reason, max))] : []),
    ),
  ];
}

export function renderTerminal(
  e: EventView,
  job: Job,
  max: number,
  usage?: Usage,
  refusal?: { platform: string; refusal: Refusal | undefined },
): ChatMessage {
  const head = e.event === 'completed' ? '✅ Completed' : '❌ Error';
  return message(
    `${e.jobId} ${outcome(e.event)}${summarySuffix(e)}`,
    section(bold(head), ...detailSpans(e.detail, max)),
    ...refusalBlocks(refusal?.platform ?? '', refusal?.refusal, max),
    context(text(`after ${formatDuration(jobDuration(job))}${costSuffix(usage)}`)),
    ...unverifiedBlocks(e),
  );
}

/**
 * The channel announcement of a job's end: outcome, duration, a link to the thread. The summary
 * always has the word `completed` or `error` in it (people and scripts grep for them).
 */
export function renderAnnouncement(
  e: EventView,
  job: Job,
  platform: string,
  threadUrl: string | undefined,
  detailChars: number,
  usage?: Usage,
  refusal?: Refusal,
): ChatMessage {
  const took = formatDuration(jobDuration(job));
  const word = e.event === 'completed' ? 'completed' : 'ended with an error';
  const link: Span[] = threadUrl
    ? [text(' · '), { kind: 'link', url: threadUrl, label: 'open the thread' }]
    : [];
  return message(
    `Job ${job.id} ${word} after ${took}${summarySuffix(e)}`,
    section(
      bold(`${e.event === 'completed' ? '✅' : '❌'} Job ${job.id} ${word}`),
      text(` after ${took} (${job.profile}, requested by `),
      ...who(job.owner, platform),
      text(')'),
      ...link,
    ),
    ...(e.detail ? [section(text(excerpt(e.detail, detailChars)))] : []),
    ...refusalBlocks(platform, refusal, detailChars),
    ...(usage ? [context(text(`Cost: ${formatUsage(usage)}`))] : []),
    ...unverifiedBlocks(e),
  );
}

/**
 * A turn ended and the job waits for a reply: said once in the thread and once in the channel,
 * with the agent's final text (cut).
 */
export function renderTurnEnded(
  e: EventView,
  job: Job,
  where: 'thread' | 'channel',
  threadUrl: string | undefined,
  max: number,
  usage?: Usage,
): ChatMessage {
  const result = typeof e.result === 'string' ? e.result : undefined;
  const link: Span[] = threadUrl
    ? [text(' · '), { kind: 'link', url: threadUrl, label: 'open the thread' }]
    : [];
  const turn = typeof e.turn === 'number' ? ` turn ${e.turn}` : ' its turn';
  return message(
    `Job ${job.id} finished${turn}, waiting for you${summarySuffix(e)}`,
    section(
      bold(`💬 Job ${job.id} finished${turn}`),
      text(' · waiting for you'),
      ...(where === 'channel' ? link : []),
    ),
    ...(result
      ? [section(text(where === 'channel' ? excerpt(result, Math.min(max, 300)) : truncate(result, max)))]
      : []),
    context(
      text(
        where === 'thread'
          ? `Reply in this thread to continue, or /hermes done ${job.id} to end it${costSuffix(usage)}`
          : `Reply in its thread to continue${costSuffix(usage)}`,
      ),
    ),
    ...unverifiedBlocks(e),
  );
}

export function renderCancelled(jobId: string, by: Span[] | undefined): ChatMessage {
  return message(`${jobId} cancelled`, section(bold('⏹ Cancelled'), ...(by ? [text(' by '), ...by] : [])));
}

/** The channel announcement of a cancel: like an end, it says who stopped the job. */
export function renderCancelAnnouncement(job: Job, by: Span[] | undefined, platform: string): ChatMessage {
  return message(
    `Job ${job.id} cancelled`,
    section(
      bold(`⏹ Job ${job.id} cancelled`),
      ...(by ? [text(' by '), ...by] : []),
      text(` (${job.profile}, requested by `),
      ...who(job.owner, platform),
      text(')'),
    ),
  );
}
