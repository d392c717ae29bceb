/** A schedule's message (the channel message its thread hangs off) and the lines in that thread. */
import type { RunOutcome } from '../../schedules/schedule-service.js';
import type { Schedule } from '../../schedules/schedule-store.js';
import { bold, code, context, excerpt, message, section, text, time } from '../message.js';
import type { ChatMessage, Field, Span } from '../port.js';
import { who } from './people.js';

const PROMPT_CHARS = 500;

const OVERLAP_WORDS: Record<Schedule['overlap'], string> = {
  skip: 'skip a run while the last job runs',
  queue: 'run once the last job ends',
  allow: 'run alongside the last job',
};

export const zoneName = (tz: string | undefined): string => tz ?? "the bot host's time zone";

export function renderScheduleCard(s: Schedule, platform: string, timeZone: string | undefined): ChatMessage {
  const fields: Field[] = [
    { label: 'Profile', value: [code(s.profile)] },
    { label: 'Runner', value: [code(s.runner)] },
    ...(s.repo ? [{ label: 'Repository', value: [code(s.repo)] }] : []),
    { label: 'Overlap', value: [text(`${s.overlap}: ${OVERLAP_WORDS[s.overlap]}`)] },
    { label: 'Created by', value: who(s.owner, platform) },
  ];
  return message(
    `Schedule ${s.id}: ${s.cron} (${zoneName(timeZone)})`,
    section(bold(`Schedule ${s.id}`), text(' · '), code(s.cron), text(` (${zoneName(timeZone)})`)),
    { kind: 'fields', fields },
    section(bold('Prompt: '), text(excerpt(s.prompt, PROMPT_CHARS))),
    context(
      text(
        `Each run is a job with its own card in this channel; skipped runs are told in this thread. /hermes schedule remove ${s.id} ends it.`,
      ),
    ),
  );
}

/** One line in the schedule's thread for a run: registered, skipped or queued. */
export function renderRunOutcome(s: Schedule, r: RunOutcome): ChatMessage {
  const at: Span[] = [text('Run of '), time(r.at)];
  if (r.outcome === 'registered')
    return message(
      `${s.id}: ${r.jobId} registered`,
      section(...at, text(': registered '), code(r.jobId ?? '?')),
    );
  if (r.outcome === 'paused')
    return message(
      `${s.id}: paused, not run (${r.reason ?? ''})`,
      section(
        ...at,
        text(': '),
        bold('not run, schedule paused'),
        text(
          ` (${r.reason ?? 'no reason given'}). It runs as its creator, so it stays paused: remove it, or add it again as someone who may register here.`,
        ),
      ),
    );
  const word = r.outcome === 'skipped' ? 'skipped' : 'queued';
  return message(
    `${s.id}: run ${word} (${r.reason ?? ''})`,
    section(...at, text(': '), bold(word), text(` (${r.reason ?? 'no reason given'}; overlap ${s.overlap})`)),
  );
}

/** Removed, paused or resumed, and by whom. */
export function renderScheduleChange(s: Schedule, verb: string, by: Span[]): ChatMessage {
  return message(`Schedule ${s.id} ${verb}`, section(bold(`Schedule ${s.id} ${verb}`), text(' by '), ...by));
}
