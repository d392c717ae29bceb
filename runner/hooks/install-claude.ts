/**
 * Writes Hermes' Claude Code hooks into a job's working copy,
 * `.claude/settings.local.json` (the per-checkout file Claude Code does not
 * commit), before the agent starts: Claude Code reads hook settings at start.
 *
 * The user's own settings stay as they are: an existing file is merged
 * (every other key and every other hook kept), Hermes' entries are
 * recognised by a marker at the end of their command (a shell comment, so
 * Claude Code's settings schema sees nothing unusual) and replaced, so
 * installing twice gives the same file, and `uninstallClaudeHooks` removes
 * exactly what was installed. The file is replaced atomically.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HermesError } from '../../src/errors.js';
import { writeFileAtomic } from '../atomic-file.js';

export const HERMES_HOOK_MARKER = '# hermes-managed-hook';

export interface InstallClaudeHooksOptions {
  /** Shell command that runs `hermes hook claude` (quoted for sh); flags and marker are appended. */
  command: string;
  /** Installed `timeout` of the PreToolUse hook, in seconds (default 600). */
  timeoutSeconds?: number;
  /** Installed `timeout` of the progress hooks, in seconds (default 30). */
  progressTimeoutSeconds?: number;
}

type HookEntry = { type: string; command?: string; timeout?: number; [k: string]: unknown };
type MatcherGroup = { matcher?: string; hooks?: HookEntry[]; [k: string]: unknown };
type Settings = Record<string, unknown> & { hooks?: Record<string, MatcherGroup[]> };

const TOOL_EVENTS = ['PreToolUse', 'PostToolUse'];
const OTHER_EVENTS = ['Notification', 'SessionStart', 'Stop'];

export const claudeSettingsPath = (workdir: string): string =>
  join(workdir, '.claude', 'settings.local.json');

/**
 * The hook's own deadline for a given installed timeout: far enough below it that the process can
 * start, notice its deadline and print `deny` before Claude Code gives up on it (which would let
 * the tool call through). 600 s -> 570 s.
 */
export function decisionDeadlineSeconds(timeoutSeconds: number): number {
  const margin = Math.min(30, Math.max(2, Math.ceil(timeoutSeconds * 0.05)));
  return timeoutSeconds - margin;
}

/** Quotes argv for the `command` field (Claude Code runs it through a shell). */
export function shellCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

const isHermesHook = (h: HookEntry) =>
  typeof h.command === 'string' && h.command.endsWith(HERMES_HOOK_MARKER);

function readSettings(file: string): Settings {
  if (!existsSync(file)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new HermesError('config', `${file} is not valid JSON; not touching it`, {
      cause,
      hint: 'fix or remove the file, then start the job again',
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HermesError('config', `${file} does not hold a JSON object; not touching it`);
  const settings = value as Settings;
  const hooks = settings.hooks;
  if (hooks !== undefined && (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks)))
    throw new HermesError('config', `${file}: "hooks" is not an object; not touching it`);
  for (const [event, groups] of Object.entries(hooks ?? {})) {
    if (!Array.isArray(groups))
      throw new HermesError('config', `${file}: hooks.${event} is not a list; not touching it`);
  }
  return settings;
}

/** The settings without Hermes' hooks; events and groups left empty by that are dropped. */
function withoutHermes(settings: Settings): Settings {
  if (!settings.hooks) return settings;
  const hooks: Record<string, MatcherGroup[]> = {};
  for (const [event, groups] of Object.entries(settings.hooks)) {
    const kept: MatcherGroup[] = [];
    for (const g of groups) {
      if (!Array.isArray(g?.hooks)) {
        kept.push(g);
        continue;
      }
      const own = g.hooks.filter((h) => !isHermesHook(h));
      if (own.length === g.hooks.length) kept.push(g);
      else if (own.length > 0) kept.push({ ...g, hooks: own });
    }
    if (kept.length > 0) hooks[event] = kept;
  }
  const out: Settings = { ...settings, hooks };
  if (Object.keys(hooks).length === 0) delete out.hooks;
  return out;
}

function write(file: string, settings: Settings): void {
  mkdirSync(dirname(file), { recursive: true });
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o644;
  writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`, mode);
}

/** Installs (or refreshes) Hermes' hooks; returns the settings file's path. */
export function installClaudeHooks(workdir: string, opts: InstallClaudeHooksOptions): string {
  const timeout = opts.timeoutSeconds ?? 600;
  const progressTimeout = opts.progressTimeoutSeconds ?? 30;
  if (!Number.isInteger(timeout) || timeout < 5)
    throw new HermesError(
      'config',
      'the PreToolUse hook timeout must be a whole number of seconds, at least 5',
    );
  if (!Number.isInteger(progressTimeout) || progressTimeout < 5)
    throw new HermesError(
      'config',
      'the progress hook timeout must be a whole number of seconds, at least 5',
    );
  if (opts.command.trim() === '' || opts.command.includes('\n'))
    throw new HermesError('config', 'the hook command must be one non-empty line');
  const progressDeadline = Math.min(10, decisionDeadlineSeconds(progressTimeout));
  const file = claudeSettingsPath(workdir);
  const settings = withoutHermes(readSettings(file));
  const hooks: Record<string, MatcherGroup[]> = { ...(settings.hooks ?? {}) };
  const base = `${opts.command} --deadline ${decisionDeadlineSeconds(timeout)} --progress-deadline ${progressDeadline}`;
  const entry = (timeoutS: number, gate = false): HookEntry => ({
    type: 'command',
    // The hook answers deny itself on every failure it lives to see. When it cannot even start
    // (node gone after an upgrade, a broken dist/), Claude Code treats a plain non-zero exit as a
    // non-blocking error and runs the tool: `|| exit 2` turns that into a block. Only on the gate:
    // exit 2 from a Stop hook would keep Claude from stopping.
    command: `${base}${gate ? ' || exit 2' : ''} ${HERMES_HOOK_MARKER}`,
    timeout: timeoutS,
  });
  for (const event of TOOL_EVENTS) {
    const gate = event === 'PreToolUse';
    hooks[event] = [
      ...(hooks[event] ?? []),
      { matcher: '*', hooks: [entry(gate ? timeout : progressTimeout, gate)] },
    ];
  }
  for (const event of OTHER_EVENTS)
    hooks[event] = [...(hooks[event] ?? []), { hooks: [entry(progressTimeout)] }];
  write(file, { ...settings, hooks });
  return file;
}

/**
 * Removes Hermes' hooks and nothing else. A file left empty (`{}`: Hermes created it, or the user's
 * held nothing else) is deleted, and `.claude/` with it when that leaves it empty, so a job leaves
 * no trace in the working copy. Does nothing when there is no settings file.
 */
export function uninstallClaudeHooks(workdir: string): void {
  const file = claudeSettingsPath(workdir);
  if (!existsSync(file)) return;
  const rest = withoutHermes(readSettings(file));
  if (Object.keys(rest).length > 0) {
    write(file, rest);
    return;
  }
  rmSync(file, { force: true });
  try {
    rmdirSync(dirname(file));
  } catch {
    // not empty (the user's own files): keep it
  }
}
