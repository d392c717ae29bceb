/**
 * What the bot can ask of runners, as the chat core sees it. The MQTT
 * implementation (signed commands on `{p}/runners/{id}/commands`, answers on
 * `.../results`) lives in src/bot/dispatcher*; tests use an in-memory one.
 */
export interface RunnerInfo {
  id: string;
  state: 'online' | 'offline' | 'unknown';
  profiles: string[];
  lastSeen: string | null;
  /**
   * Whether the runner lets a job choose its working directory (it has runner.cwd_roots), from
   * its last status; undefined when it did not say (an older runner, or not seen since start).
   */
  acceptsCwd?: boolean;
}

/** What a runner says a worktree job changed, at the job's end. */
export interface ChangeReport {
  jobId: string;
  /** The table (plain text) and the push line, if any. */
  text: string;
  /** Compare page of the pushed branch (GitHub / GitLab remotes). */
  link?: string;
  /** The change so far at a turn's end (the job waits for a reply), not the job's end. */
  turn?: boolean;
  /** The unified diff, whole or its beginning (it had to fit the runner's message). */
  patch?: string;
  /** With `patch` (or when none fit at all): the whole patch's size in bytes. */
  patchBytes?: number;
}

/** `/hermes diff`: the table, and the patch as far as the runner could send it. */
export type DiffAnswer = Pick<ChangeReport, 'text' | 'patch' | 'patchBytes'>;

export interface RunnerControl {
  /** Known runners (paired with `hermes runners add`) and their last reported state. */
  list(): RunnerInfo[];
  /** Tell the job's runner to kill its session; the job becomes cancelled at once. */
  cancel(jobId: string, by: string): Promise<void>;
  /** The last `lines` lines of the job's pane, from its runner. Rejects with a clear error when offline. */
  peek(jobId: string, lines: number): Promise<string>;
  /** The change table of a worktree job (files, +/-), from its runner. Absent: not supported here. */
  diff?(jobId: string): Promise<DiffAnswer>;
  /** Change reports runners send at a job's end (worktree jobs); returns the unsubscribe. */
  onChangeReport?(listener: (report: ChangeReport) => void): () => void;
  /** Dispatch pending jobs now (called after a registration) instead of waiting for the next tick. */
  kick(): void;
}

/** A stand-in for a bot without runners configured: cancel records, peek explains. */
export const noRunners: RunnerControl = {
  list: () => [],
  cancel: async () => {},
  peek: async () => {
    throw new Error('no runner is connected to this bot');
  },
  kick: () => {},
};
