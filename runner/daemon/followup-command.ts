/**
 * The `followup` command: a reply (or `done`) for a job's agent, signed by the
 * bot like start and cancel (command-check.ts verified it and its seq). How it
 * reaches the agent is the job's profile's: `resume` leaves it in the job's
 * mailbox for `hermes run`, which starts the next turn when the current one
 * is over (runner/followup-mailbox.ts); `keys` types it into the pane
 * literally; `none` refuses. The text never goes through a shell.
 */
import { describeError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { RunnerCommandEnvelope } from '../../src/protocol/schemas.js';
import { postFollowup } from '../followup-mailbox.js';
import type { ProfileSet } from '../profiles/profile-set.js';
import type { SessionStore } from '../session-store.js';
import type { Tmux } from '../tmux.js';
import type { ResultFields } from './runner-messages.js';

export interface FollowupDeps {
  home: string;
  store: Pick<SessionStore, 'getByJob'>;
  profiles: Pick<ProfileSet, 'get'>;
  tmux: Pick<Tmux, 'sendText'>;
  log: Logger;
}

export async function followupJob(cmd: RunnerCommandEnvelope, d: FollowupDeps): Promise<ResultFields> {
  const r = (status: 'done' | 'rejected', reason?: string): ResultFields => ({
    command: 'followup',
    commandSeq: cmd.seq,
    jobId: cmd.job_id,
    status,
    ...(reason !== undefined ? { reason } : {}),
  });
  const kind = cmd.data.followup;
  const by = cmd.data.by ?? 'someone';
  if (kind !== 'reply' && kind !== 'done') return r('rejected', 'the follow-up says neither reply nor done');
  const text = cmd.data.text ?? '';
  if (kind === 'reply' && (text.trim() === '' || text.includes('\0'))) {
    return r('rejected', 'a reply needs text (without NUL characters)');
  }
  const s = d.store.getByJob(cmd.job_id);
  if (!s) return r('rejected', `no session for job ${cmd.job_id} on this runner`);
  if (s.status !== 'running') return r('rejected', `the job's session has ended (${s.status})`);
  const mode = d.profiles.get(s.profile)?.followup ?? 'none';
  try {
    if (mode === 'resume') {
      postFollowup(d.home, cmd.job_id, cmd.seq, kind === 'done' ? { kind, by } : { kind, text, by });
    } else if (mode === 'keys' && kind === 'reply') {
      await d.tmux.sendText(s.name, text);
    } else if (mode === 'keys') {
      return r('rejected', `profile ${s.profile} types follow-ups into the agent; end it with cancel`);
    } else {
      return r('rejected', `profile ${s.profile} takes no follow-ups`);
    }
  } catch (e) {
    d.log.warn({ job: cmd.job_id, err: describeError(e) }, 'follow-up not handed to the agent');
    return r('rejected', describeError(e));
  }
  d.log.info({ job: cmd.job_id, followup: kind, mode, by }, 'follow-up handed to the agent');
  return r('done');
}
