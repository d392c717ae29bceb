/**
 * `hermes reconcile --once [--linger SECONDS] [--json]`: one pass now, from
 * the command line. The runner daemon runs the same pass on its schedule.
 *
 * This process has no broker connection: an error event owed for a vanished
 * session stays recorded in runner.db, and the runner daemon publishes it on
 * its next pass.
 *
 * A terminated job is cleaned up as the daemon does it (JobCleanup): its files
 * go, and the agent hooks of its profile are removed from its working copy
 * unless another live session of a hooked profile works in the same folder.
 */

import { type CommandContext, parseFlags, writeJson, writeLine } from '../../src/cli/context.js';
import { HermesError } from '../../src/errors.js';
import { findInstallPaths } from '../daemon/install-paths.js';
import { JobCleanup } from '../daemon/job-cleanup.js';
import { runnerProfiles } from '../daemon/runner-setup.js';
import { killJobSession } from '../daemon/session-commands.js';
import { defaultHookInstallers } from '../profiles/hook-installers.js';
import { type PublishError, type ReconcileReport, reconcileHolderId, reconcilePass } from '../reconcile.js';
import { mirrorPath, YamlMirror } from '../yaml-mirror.js';
import { runnerTmux, withSessionStore } from './runner-context.js';

/** Exit status when another pass held the lease and this one did nothing. */
export const EXIT_SKIPPED = 3;

function parseLinger(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw))
    throw new HermesError('usage', 'reconcile: --linger takes a whole number of seconds (0 or more)');
  return Number(raw);
}

function summary(r: ReconcileReport): string[] {
  if (r.skipped) return [`skipped: ${r.skipped}`];
  const list = (xs: string[]) => (xs.length ? xs.join(', ') : '-');
  return [
    `checked     ${r.checked} sessions (${r.tmuxSessions} in tmux)`,
    `stopped     ${list(r.stopped)}`,
    `terminated  ${list(r.terminated)}`,
    `archived    ${list(r.archived)}`,
    `unknown     ${list(r.unknown)}${r.unknown.length ? ' (hermes- sessions not in the store; left running)' : ''}`,
    `reported    ${list(r.reported)}`,
    `owed        ${list(r.owed)}${r.owed.length ? ' (error events for the runner daemon to publish)' : ''}`,
    ...r.failures.map((f) => `FAILED      ${f.name}: ${f.action}: ${f.error}`),
  ];
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('reconcile', ctx.args, {
    once: { type: 'boolean' },
    linger: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.once) {
    throw new HermesError('usage', 'reconcile: only --once is supported here', {
      hint: 'the runner daemon reconciles on runner.schedule; use hermes reconcile --once for a pass now',
    });
  }
  const config = ctx.config();
  const log = ctx.logger();
  const publishError: PublishError = async (jobId) => {
    log.info({ job: jobId }, 'no broker configured, vanished session recorded for the runner to report');
    return 'deferred';
  };
  const profiles = runnerProfiles(config, findInstallPaths());
  const hooks = defaultHookInstallers(config.publish.ask_timeout_seconds);
  const report = await withSessionStore(ctx, (store) => {
    // No job tokens are held in this process: nothing to forget.
    const tokens = { forget: () => undefined };
    const cleanup = new JobCleanup({ home: config.home, store, profiles, hooks, tokens, log });
    const tmux = runnerTmux(ctx);
    return reconcilePass({
      tmux,
      store,
      mirror: new YamlMirror(mirrorPath(config.home), ctx.clock),
      clock: ctx.clock,
      log,
      publishError,
      lingerSeconds: parseLinger(values.linger, config.runner.linger_seconds),
      retentionSeconds: config.runner.retention_seconds,
      holderId: reconcileHolderId(ctx.random),
      cleanupJob: (jobId) => cleanup.afterSession(jobId),
      killSession: (jobId, name) => killJobSession({ home: config.home, tmux, log }, jobId, name),
    });
  });
  if (values.json) writeJson(ctx.stdout, report);
  else for (const l of summary(report)) writeLine(ctx.stdout, l);
  if (report.skipped) return EXIT_SKIPPED;
  return report.failures.length ? 1 : 0;
}
