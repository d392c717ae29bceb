/**
 * Choices for `/hermes register profile:`: the profiles the runners report (RunnerControl.list()),
 * plus the ones in this process's own runner config (`hermes up` runs both), filtered by what the
 * person typed. Discord shows at most 25.
 */
import type { RunnerControl } from '../../src/bot/runner-control.js';

const MAX_CHOICES = 25;

export function knownProfiles(runners: Pick<RunnerControl, 'list'>, configured: readonly string[]): string[] {
  const all = new Set<string>(configured);
  for (const r of runners.list()) for (const p of r.profiles) all.add(p);
  return [...all].sort();
}

/** Profiles matching `typed` (prefix matches first, then substring matches), as Discord choices. */
export function profileChoices(
  profiles: readonly string[],
  typed: string,
): Array<{ name: string; value: string }> {
  const t = typed.trim().toLowerCase();
  const prefix = profiles.filter((p) => p.toLowerCase().startsWith(t));
  const inner = profiles.filter((p) => !p.toLowerCase().startsWith(t) && p.toLowerCase().includes(t));
  return [...prefix, ...inner]
    .slice(0, MAX_CHOICES)
    .map((p) => ({ name: p.slice(0, 100), value: p.slice(0, 100) }));
}
