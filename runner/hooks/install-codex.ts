/**
 * Writes Hermes' Codex hooks into a job's working copy, `<cwd>/.codex/hooks.json`, before the
 * agent starts, and removes exactly them when the job ends; merged with the user's own hooks,
 * marked and atomic like the Claude hooks (hook-settings-file.ts holds the shared code).
 *
 * - PermissionRequest (every tool, no matcher): `hermes hook codex`, the gate that asks.
 * - PreToolUse (every tool): the same command, which there only applies deny rules (Codex runs
 *   some calls without asking; a hardline or `approvals.deny` rule must hold for those too).
 *
 * Both end in `|| exit 2`: a hook that cannot even start blocks instead of saying nothing. Codex
 * reads the file only with `[features] codex_hooks = true` in its config.toml (docs/agent-hooks.md).
 */
import { join } from 'node:path';
import {
  checkHookOptions,
  decisionDeadlineSeconds,
  hermesEntry,
  mergeHermesHooks,
  removeHermesHooks,
} from './hook-settings-file.js';

export interface InstallCodexHooksOptions {
  /** Shell command that runs `hermes hook codex` (quoted for sh); flags and marker are appended. */
  command: string;
  /** Installed `timeout` of both hooks, in seconds (default 600). */
  timeoutSeconds?: number;
}

export const codexHooksPath = (workdir: string): string => join(workdir, '.codex', 'hooks.json');

/** Installs (or refreshes) Hermes' hooks; returns the hooks file's path. */
export function installCodexHooks(workdir: string, opts: InstallCodexHooksOptions): string {
  const timeout = opts.timeoutSeconds ?? 600;
  checkHookOptions(opts.command, { PermissionRequest: timeout });
  const file = codexHooksPath(workdir);
  const entry = hermesEntry(`${opts.command} --deadline ${decisionDeadlineSeconds(timeout)}`, timeout, true);
  mergeHermesHooks(file, {
    PermissionRequest: [{ hooks: [entry] }],
    PreToolUse: [{ hooks: [entry] }],
  });
  return file;
}

/** Removes Hermes' hooks and nothing else; an emptied file and `.codex/` folder go too. */
export function uninstallCodexHooks(workdir: string): void {
  removeHermesHooks(codexHooksPath(workdir));
}
