/** The job record as the rest of Hermes sees it (never with its token). */
import type { JobState } from './states.js';

export interface ChatLocation {
  platform: string;
  channel: string;
  thread: string | null;
}

export interface Job {
  id: string;
  status: JobState;
  profile: string;
  prompt: string;
  runner: string;
  cwd: string | null;
  /** runner.repos entry: the job runs in its own worktree of it. */
  repo: string | null;
  owner: string;
  auth: 'token' | 'none';
  chat: ChatLocation | null;
  createdAt: string;
  updatedAt: string;
  dispatchedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  maxSeq: number | null;
  statusReason: string | null;
  /** The job's own budget in US dollars (`--max-cost`); the profile's may be lower. */
  maxCostUsd: number | null;
}

export interface JobRow {
  id: string;
  status: JobState;
  profile: string;
  prompt: string;
  runner: string;
  cwd: string | null;
  repo: string | null;
  owner: string;
  auth: 'token' | 'none';
  token: string | null;
  chat_platform: string | null;
  chat_channel: string | null;
  chat_thread: string | null;
  created_at: string;
  updated_at: string;
  dispatched_at: string | null;
  started_at: string | null;
  ended_at: string | null;
  max_seq: number | null;
  status_reason: string | null;
  decision_seq: number;
  max_cost_usd: number | null;
}

export function jobFromRow(r: JobRow): Job {
  return {
    id: r.id,
    status: r.status,
    profile: r.profile,
    prompt: r.prompt,
    runner: r.runner,
    cwd: r.cwd,
    repo: r.repo ?? null,
    owner: r.owner,
    auth: r.auth,
    chat:
      r.chat_platform && r.chat_channel
        ? { platform: r.chat_platform, channel: r.chat_channel, thread: r.chat_thread }
        : null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    dispatchedAt: r.dispatched_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    maxSeq: r.max_seq,
    statusReason: r.status_reason,
    maxCostUsd: r.max_cost_usd ?? null,
  };
}

/** JSON shape printed by the CLI (`--json`). */
export function jobToJson(j: Job) {
  return {
    id: j.id,
    status: j.status,
    profile: j.profile,
    runner: j.runner,
    prompt: j.prompt,
    cwd: j.cwd,
    repo: j.repo,
    owner: j.owner,
    auth: j.auth,
    chat: j.chat,
    created_at: j.createdAt,
    updated_at: j.updatedAt,
    dispatched_at: j.dispatchedAt,
    started_at: j.startedAt,
    ended_at: j.endedAt,
    max_seq: j.maxSeq,
    status_reason: j.statusReason,
    max_cost_usd: j.maxCostUsd,
  };
}

/** The Job a `jobToJson` shape describes (a job the running bot answered with). */
export function jobFromJson(j: ReturnType<typeof jobToJson>): Job {
  return {
    id: j.id,
    status: j.status,
    profile: j.profile,
    runner: j.runner,
    prompt: j.prompt,
    cwd: j.cwd,
    repo: j.repo,
    owner: j.owner,
    auth: j.auth,
    chat: j.chat,
    createdAt: j.created_at,
    updatedAt: j.updated_at,
    dispatchedAt: j.dispatched_at,
    startedAt: j.started_at,
    endedAt: j.ended_at,
    maxSeq: j.max_seq,
    statusReason: j.status_reason,
    maxCostUsd: j.max_cost_usd,
  };
}
