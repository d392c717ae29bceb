/**
 * How `hermes run` treats the agent, from the environment the runner sets
 * for the job's session (from the profile and the start command):
 *
 * - HERMES_AGENT_OUTPUT=claude: stdout is Claude Code's json / stream-json
 *   output; tokens, cost and the session id are read from it. `codex`: it is
 *   `codex exec --json` output (tokens and the thread id, no cost).
 * - HERMES_FOLLOWUP_REASON: with no follow-ups, why (told in `started`).
 * - HERMES_FOLLOWUP=resume|keys|none: how a follow-up reaches the agent.
 *   `resume`: when a turn ends well the job goes idle and waits for one;
 *   HERMES_RESUME_ARGV (a JSON array with `{session_id}` and `{prompt}`) is
 *   the next turn's argv. `keys`: the runner types it into the pane.
 * - HERMES_MAX_COST_USD: the job's budget, checked at each turn's end.
 * - HERMES_IDLE_SECONDS: how long an idle job waits for a reply (default 3600).
 * - HERMES_TOKEN_UPDATE_MS: at most one running-token `progress` event per this many ms while a
 *   turn runs (stream-json; default 10000).
 */
import { HermesError } from '../../src/errors.js';
import type { Env } from './agent-env.js';

export type FollowupMode = 'resume' | 'keys' | 'none';

export interface ConversationSettings {
  /** Whether (and in whose format) stdout is read for tokens, cost and the session id. */
  readOutput: boolean;
  output: 'claude' | 'codex' | undefined;
  /** Why the profile takes no follow-ups (HERMES_FOLLOWUP_REASON), told in the started event. */
  followupReason: string | undefined;
  followup: FollowupMode;
  resumeArgv: string[] | undefined;
  maxCostUsd: number | undefined;
  idleMs: number;
  /** How often an idle wrapper looks for a follow-up. */
  pollMs: number;
  /** Least time between two running-token progress events. */
  tokenUpdateMs: number;
}

export const DEFAULT_IDLE_SECONDS = 3600;

function positive(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new HermesError('env', `${name} must be a positive number, not ${raw}`);
  return n;
}

export function conversationSettings(env: Env): ConversationSettings {
  const mode = env.HERMES_FOLLOWUP || 'none';
  if (mode !== 'resume' && mode !== 'keys' && mode !== 'none') {
    throw new HermesError('env', `HERMES_FOLLOWUP must be resume, keys or none, not ${mode}`);
  }
  let resumeArgv: string[] | undefined;
  if (mode === 'resume') {
    try {
      const v: unknown = JSON.parse(env.HERMES_RESUME_ARGV ?? '');
      if (Array.isArray(v) && v.length > 0 && v.every((a) => typeof a === 'string')) resumeArgv = v;
    } catch {
      // reported below
    }
    if (!resumeArgv) {
      throw new HermesError(
        'env',
        'HERMES_FOLLOWUP=resume needs HERMES_RESUME_ARGV, a JSON array of strings',
      );
    }
  }
  const kind = env.HERMES_AGENT_OUTPUT;
  const output = kind === 'claude' || kind === 'codex' ? kind : undefined;
  return {
    readOutput: output !== undefined,
    output,
    followupReason: mode === 'none' ? env.HERMES_FOLLOWUP_REASON?.slice(0, 300) || undefined : undefined,
    followup: mode,
    resumeArgv,
    maxCostUsd: positive(env, 'HERMES_MAX_COST_USD'),
    idleMs: (positive(env, 'HERMES_IDLE_SECONDS') ?? DEFAULT_IDLE_SECONDS) * 1000,
    pollMs: positive(env, 'HERMES_FOLLOWUP_POLL_MS') ?? 500,
    tokenUpdateMs: positive(env, 'HERMES_TOKEN_UPDATE_MS') ?? 10_000,
  };
}
