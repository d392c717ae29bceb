/**
 * Writes Hermes' Claude Code hooks into a job's working copy,
 * `.claude/settings.local.json` (the per-checkout file Claude Code does not
 * commit), before the agent starts: Claude Code reads hook settings at start.
 *
 * The user's own settings stay as they are: an existing file is merged
 * (every other key and every other hook kept), Hermes' entries are
 * recognised by a marker at the end of their command and replaced, so
 * installing twice gives the same file, and `uninstallClaudeHooks` removes
 * exactly what was installed. The file is replaced atomically
 * (hook-settings-file.ts, shared with the Codex installer).
 */
import { join } from 'node:path';
import {
  checkHookOptions,
  decisionDeadlineSeconds,
  hermesEntry,
  type MatcherGroup,
  mergeHermesHooks,
  removeHermesHooks,
} from './hook-settings-file.js';

export { decisionDeadlineSeconds, HERMES_HOOK_MARKER, shellCommand } from './hook-settings-file.js';

export interface InstallClaudeHooksOptions {
  /** Shell command that runs `hermes hook claude` (quoted for sh); flags and marker are appended. */
  command: string;
  /** Installed `timeout` of the PreToolUse hook, in seconds (default 600). */
  timeoutSeconds?: number;
  /** Installed `timeout` of the progress hooks, in seconds (default 30). */
  progressTimeoutSeconds?: number;
}

const TOOL_EVENTS = ['PreToolUse', 'PostToolUse'];
const OTHER_EVENTS = ['Notification', 'SessionStart', 'Stop'];

export const claudeSettingsPath = (workdir: string): string =>
  join(workdir, '.claude', 'settings.local.json');

/** Installs (or refreshes) Hermes' hooks; returns the settings file's path. */
export function installClaudeHooks(workdir: string, opts: InstallClaudeHooksOptions): string {
  const timeout = opts.timeoutSeconds ?? 600;
  const progressTimeout = opts.progressTimeoutSeconds ?? 30;
  checkHookOptions(opts.command, { PreToolUse: timeout, progress: progressTimeout });
  const progressDeadline = Math.min(10, decisionDeadlineSeconds(progressTimeout));
  const file = claudeSettingsPath(workdir);
  const base = `${opts.command} --deadline ${decisionDeadlineSeconds(timeout)} --progress-deadline ${progressDeadline}`;
  // The hook answers deny itself on every failure it lives to see. When it cannot even start
  // (node gone after an upgrade, a broken dist/), Claude Code treats a plain non-zero exit as a
  // non-blocking error and runs the tool: `|| exit 2` turns that into a block. Only on the gate:
  // exit 2 from a Stop hook would keep Claude from stopping.
  const groups: Record<string, MatcherGroup[]> = {};
  for (const event of TOOL_EVENTS) {
    const gate = event === 'PreToolUse';
    groups[event] = [{ matcher: '*', hooks: [hermesEntry(base, gate ? timeout : progressTimeout, gate)] }];
  }
  for (const event of OTHER_EVENTS) groups[event] = [{ hooks: [hermesEntry(base, progressTimeout, false)] }];
  mergeHermesHooks(file, groups);
  return file;
}

/**
 * Removes Hermes' hooks and nothing else. A file left empty (`{}`: Hermes created it, or the user's
 * held nothing else) is deleted, and `.claude/` with it when that leaves it empty, so a job leaves
 * no trace in the working copy. Does nothing when there is no settings file.
 */
export function uninstallClaudeHooks(workdir: string): void {
  removeHermesHooks(claudeSettingsPath(workdir));
}
