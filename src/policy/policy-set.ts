/**
 * One job's static policy, put together from where rules come from: the built-in hardline denies
 * (minus any an operator removed by name), the bot's org-wide `approvals.*` (carried in the signed
 * start command), the profile's `policy.*` on the runner. Rules granted in chat for the job are the
 * bot's to apply (src/bot/), after these.
 */
import { HermesError } from '../errors.js';
import type { Policy } from './evaluate.js';
import { HARDLINE_DENIES, HARDLINE_IDS } from './hardline.js';
import { type PolicyRule, parseRules, RULE_KINDS, type RuleKind, type RuleOrigin } from './rule.js';

/** Rules of one origin as configuration writes them: `{deny: [...], ask: [...], allow: [...]}`. */
export type RuleLists = Partial<Record<RuleKind, readonly string[]>>;

/** Parsed rules of one origin; `key` names the config key in errors (`approvals`, `runner.profiles.x.policy`). */
export function policyRules(key: string, lists: RuleLists | undefined, origin: RuleOrigin): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const kind of RULE_KINDS) {
    for (const rule of parseRules(`${key}.${kind}`, lists?.[kind] ?? [])) out.push({ rule, kind, origin });
  }
  return out;
}

/** Checks that every name in a hardline removal list is a built-in hardline deny. */
export function checkHardlineRemovals(key: string, ids: readonly string[]): void {
  for (const [i, id] of ids.entries()) {
    if (!HARDLINE_IDS.includes(id))
      throw new HermesError('config', `${key}[${i}]: ${JSON.stringify(id)} is not a hardline deny`, {
        hint: `the hardline denies are ${HARDLINE_IDS.join(', ')}`,
      });
  }
}

export interface JobPolicyInput {
  /** Extra hardline denies (rules) an operator added: denies no allow lifts, shown as hardline. */
  hardlineAdd?: readonly string[];
  /** Built-in hardline denies an operator removed by name. */
  hardlineRemove?: readonly string[];
  bot?: RuleLists;
  profile?: RuleLists;
}

/** The static policy of one job, validated; errors name the key and the rule. */
export function jobPolicy(input: JobPolicyInput): Policy {
  const removed = new Set(input.hardlineRemove ?? []);
  checkHardlineRemovals('runner.hardline_remove', [...removed]);
  return {
    hardline: HARDLINE_DENIES.filter((h) => !removed.has(h.id)),
    rules: [
      ...policyRules('runner.hardline_add', { deny: input.hardlineAdd ?? [] }, 'hardline'),
      ...policyRules('approvals', input.bot, 'bot'),
      ...policyRules('policy', input.profile, 'profile'),
    ],
  };
}
