/**
 * Starting an agent in tmux and knowing that it started.
 *
 * "Started" means the pane is alive and its foreground process is no longer
 * the `env` launcher (which execs the next program, or exits 127/126 with the
 * reason printed). The daemon launches `env PATH=… node hermes.js run -- argv`,
 * so for it this is the moment `hermes run` (node) runs, not the profile's
 * program: `hermes run` starts that program later, as its child, after
 * publishing `started`; the wait returns on the first sight of node, whether
 * or not the program has started yet. What is checked before tmux is touched is
 * the cwd and that argv[0] exists and is executable (on env.PATH or
 * searchPath when given; for the daemon argv[0] is `env`, and start-job.ts
 * checks the profile's program the same way first); a failure is a
 * HermesError whose message says why, ready to become the job's `error` event.
 *
 * On a failure the tmux session is killed, but the job's files (token, seq
 * counters) stay: the caller publishes the job's `error` event first, which
 * needs the token and must take the next seq after any the agent used, and
 * then removes them (JobCleanup.afterFailedStart in the daemon). Removing
 * `seq/` here made that event reuse seq 1, which the bot drops as a replay.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { HermesError } from '../src/errors.js';
import { type Logger, silentLogger } from '../src/log.js';
import { writeTokenFile } from './job-files.js';
import { type PaneState, paneExited, sessionNameFor, type Tmux } from './tmux.js';

export interface StartAgentOptions {
  tmux: Tmux;
  /** `$HERMES_HOME`; the token goes to `jobs/<jobId>/token` below it. */
  home: string;
  jobId: string;
  /** The job's token; absent for jobs registered without auth (then no token file). */
  token?: string;
  /** Profile argv with the prompt already placed; passed element by element. */
  argv: readonly string[];
  /** Absolute working directory; must exist. */
  cwd: string;
  /** Profile environment (and anything the runner adds, e.g. its relay socket). */
  env?: Record<string, string>;
  /**
   * PATH the pane will search (the tmux server's). When known, a program
   * missing from it fails before tmux is touched; env.PATH takes precedence.
   * A program given as a path is always checked.
   */
  searchPath?: string;
  /** Longest wait for the program to be running (default 10 s). */
  startTimeoutMs?: number;
  /** Monotonic milliseconds, for the deadline (default performance.now). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: Logger;
}

export interface StartedAgent {
  name: string;
  panePid: number | undefined;
  /** The pane's foreground process when the wait ended (`node` for the daemon's `hermes run` launch). */
  command: string;
  tokenFile: string | undefined;
}

/**
 * The working directory is absolute, exists and is a directory. The daemon
 * checks it before anything is written into it (hooks): nothing creates it.
 */
export function checkCwd(cwd: string, jobId: string): void {
  const fail = (why: string) =>
    new HermesError('env', `cannot start job ${jobId}: working directory ${cwd} ${why}`, {
      hint: 'fix the profile cwd, runner.workdir or the job request',
    });
  if (!isAbsolute(cwd)) throw fail('is not an absolute path');
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(cwd);
  } catch {
    throw fail('does not exist');
  }
  if (!st.isDirectory()) throw fail('is not a directory');
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function checkProgram(program: string, cwd: string, searchPath: string | undefined, jobId: string): void {
  const fail = (why: string) =>
    new HermesError('env', `cannot start job ${jobId}: program ${program} ${why}`, {
      hint: 'install it, or fix the profile argv or its PATH',
    });
  if (program.includes('/')) {
    if (!isExecutableFile(isAbsolute(program) ? program : join(cwd, program))) {
      throw fail('does not exist or is not executable');
    }
    return;
  }
  if (searchPath === undefined) return;
  const dirs = searchPath.split(delimiter).filter(Boolean);
  if (!dirs.some((d) => isExecutableFile(join(d, program)))) throw fail(`is not on PATH (${searchPath})`);
}

const STATUS_MEANING: Record<number, string> = { 126: ' (not executable)', 127: ' (program not found)' };

async function deadPaneError(tmux: Tmux, name: string, jobId: string, argv0: string, s: PaneState) {
  let output = '';
  try {
    output = (await tmux.capturePane(name, 50))
      .split('\n')
      .filter((l) => !/^Pane is dead/.test(l))
      .join('\n')
      .trim()
      .slice(-1000);
  } catch {
    // The cause stays unknown beyond the status; the status is still reported.
  }
  const how =
    s.deadStatus !== undefined
      ? `status ${s.deadStatus}${STATUS_MEANING[s.deadStatus] ?? ''}`
      : s.deadSignal !== undefined
        ? `signal ${s.deadSignal}`
        : 'an unknown status';
  return new HermesError(
    'tmux',
    `agent ${argv0} for job ${jobId} exited at start with ${how}${output ? `: ${output}` : ''}`,
  );
}

/** Poll the pane until the program runs, it dies, or the deadline passes. */
async function waitUntilRunning(o: StartAgentOptions, name: string): Promise<PaneState> {
  const now = o.now ?? (() => performance.now());
  const sleep = o.sleep ?? ((ms: number) => delay(ms));
  const deadline = now() + (o.startTimeoutMs ?? 10_000);
  for (let interval = 5; ; interval = Math.min(interval * 2, 200)) {
    const s = await o.tmux.paneState(name);
    if (!s)
      throw new HermesError(
        'tmux',
        `tmux session ${name} for job ${o.jobId} disappeared right after it was created`,
      );
    const exited = paneExited({ dead: s.dead, status: s.deadStatus, signal: s.deadSignal, pid: s.pid });
    if (exited) throw await deadPaneError(o.tmux, name, o.jobId, o.argv[0]!, s);
    if (!s.dead && s.currentCommand !== '' && s.currentCommand !== 'env') return s;
    if (now() >= deadline) {
      if (s.dead) throw await deadPaneError(o.tmux, name, o.jobId, o.argv[0]!, s);
      throw new HermesError(
        'timeout',
        `agent for job ${o.jobId} did not start within ${o.startTimeoutMs ?? 10_000} ms`,
      );
    }
    await sleep(interval);
  }
}

export async function startAgentSession(o: StartAgentOptions): Promise<StartedAgent> {
  const log = o.log ?? silentLogger;
  const name = sessionNameFor(o.jobId);
  if (o.argv.length === 0) throw new HermesError('usage', `no program to run for job ${o.jobId}`);
  checkCwd(o.cwd, o.jobId);
  checkProgram(o.argv[0]!, o.cwd, o.env?.PATH ?? o.searchPath, o.jobId);
  if (o.token !== undefined) {
    const leaks = [...o.argv, ...Object.values(o.env ?? {})].some((v) => v.includes(o.token!));
    if (leaks)
      throw new HermesError('forbidden', `job ${o.jobId}: the token must not appear in argv or environment`);
  }
  const tokenFile = o.token === undefined ? undefined : writeTokenFile(o.home, o.jobId, o.token);
  const env: Record<string, string> = { ...o.env, HERMES_JOB_ID: o.jobId, HERMES_HOME: o.home };
  if (tokenFile) env.HERMES_TOKEN_FILE = tokenFile;
  let created = false;
  try {
    await o.tmux.newSession(name, o.argv, { cwd: o.cwd, env });
    created = true;
    const s = await waitUntilRunning(o, name);
    log.info({ job: o.jobId, session: name, pid: s.pid, command: s.currentCommand }, 'agent started');
    return { name, panePid: s.pid, command: s.currentCommand, tokenFile };
  } catch (e) {
    log.warn({ job: o.jobId, session: name, err: (e as Error).message }, 'agent failed to start');
    if (created) await o.tmux.killSession(name).catch(() => false);
    // The job's files stay for the caller (see the header).
    throw e;
  }
}
