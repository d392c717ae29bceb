/**
 * The JSON hook file Claude Code (`.claude/settings.local.json`) and Codex (`.codex/hooks.json`)
 * both read: `{"hooks": {Event: [{matcher?, hooks: [{type: "command", command, timeout}]}]}}`,
 * maybe with other keys beside `hooks`. Hermes merges its own entries into a user's file and
 * takes out exactly those again: they are recognised by a marker at the end of their command (a
 * shell comment, so neither agent's schema sees anything unusual). Writes are atomic.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { HermesError } from '../../src/errors.js';
import { writeFileAtomic } from '../atomic-file.js';

export const HERMES_HOOK_MARKER = '# hermes-managed-hook';

export type HookEntry = { type: string; command?: string; timeout?: number; [k: string]: unknown };
export type MatcherGroup = { matcher?: string; hooks?: HookEntry[]; [k: string]: unknown };
export type HookSettings = Record<string, unknown> & { hooks?: Record<string, MatcherGroup[]> };

/**
 * The hook's own deadline for a given installed timeout: far enough below it that the process can
 * start, notice its deadline and print `deny` before the agent gives up on it (which would let
 * the tool call through). 600 s -> 570 s.
 */
export function decisionDeadlineSeconds(timeoutSeconds: number): number {
  const margin = Math.min(30, Math.max(2, Math.ceil(timeoutSeconds * 0.05)));
  return timeoutSeconds - margin;
}

/** Quotes argv for the `command` field (the agents run it through a shell). */
export function shellCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** A marked command hook entry; `gate` entries end in `|| exit 2` (see the installers). */
export function hermesEntry(command: string, timeoutSeconds: number, gate: boolean): HookEntry {
  return {
    type: 'command',
    command: `${command}${gate ? ' || exit 2' : ''} ${HERMES_HOOK_MARKER}`,
    timeout: timeoutSeconds,
  };
}

/** Checks shared by the installers: a whole number of seconds, a one-line command. */
export function checkHookOptions(command: string, timeouts: Record<string, number>): void {
  for (const [what, t] of Object.entries(timeouts)) {
    if (!Number.isInteger(t) || t < 5)
      throw new HermesError(
        'config',
        `the ${what} hook timeout must be a whole number of seconds, at least 5`,
      );
  }
  if (command.trim() === '' || command.includes('\n'))
    throw new HermesError('config', 'the hook command must be one non-empty line');
}

const isHermesHook = (h: HookEntry) =>
  typeof h.command === 'string' && h.command.endsWith(HERMES_HOOK_MARKER);

export function readHookSettings(file: string): HookSettings {
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
  const settings = value as HookSettings;
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
export function withoutHermesHooks(settings: HookSettings): HookSettings {
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
  const out: HookSettings = { ...settings, hooks };
  if (Object.keys(hooks).length === 0) delete out.hooks;
  return out;
}

export function writeHookSettings(file: string, settings: HookSettings): void {
  mkdirSync(dirname(file), { recursive: true });
  const mode = existsSync(file) ? statSync(file).mode & 0o777 : 0o644;
  writeFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`, mode);
}

/**
 * Adds Hermes' groups to a file (after removing any it already had, so installing twice gives the
 * same file); the user's own entries come first and stay as they were.
 */
export function mergeHermesHooks(file: string, groups: Record<string, MatcherGroup[]>): void {
  const settings = withoutHermesHooks(readHookSettings(file));
  const hooks: Record<string, MatcherGroup[]> = { ...(settings.hooks ?? {}) };
  for (const [event, own] of Object.entries(groups)) hooks[event] = [...(hooks[event] ?? []), ...own];
  writeHookSettings(file, { ...settings, hooks });
}

/**
 * Removes Hermes' hooks and nothing else. A file left empty (`{}`: Hermes created it, or the user's
 * held nothing else) is deleted, and its folder with it when that leaves it empty, so a job leaves
 * no trace in the working copy. Does nothing when there is no file.
 */
export function removeHermesHooks(file: string): void {
  if (!existsSync(file)) return;
  const rest = withoutHermesHooks(readHookSettings(file));
  if (Object.keys(rest).length > 0) {
    writeHookSettings(file, rest);
    return;
  }
  rmSync(file, { force: true });
  try {
    rmdirSync(dirname(file));
  } catch {
    // not empty (the user's own files): keep it
  }
}
