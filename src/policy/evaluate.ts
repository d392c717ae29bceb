/**
 * The policy's verdict on one tool call: deny, then ask, then allow; a call no rule decides is
 * asked. Built-in hardline denies come first and nothing lifts them.
 *
 * Bash is judged per simple command (bash-parts.ts): a deny or ask rule that matches any part, a
 * command nested in it or the command a wrapper runs decides for the whole line; an allow needs
 * every part covered, no doubt about the split, no `NAME=value` prefix (it can change what runs),
 * and redirections only into the working copy.
 */
import { analyseBash, type BashAnalysis, type BashPart, hasVariable, partText } from './bash-parts.js';
import { type HardlineDeny, hardlineName, programOf, unwrap } from './hardline.js';
import { bashPartMatches, ruleMatches, type ToolCall, toolCovered } from './match.js';
import { insideWorkdir, type PathContext } from './paths.js';
import { type PolicyRule, RULE_ORIGINS, type RuleKind, type RuleOrigin } from './rule.js';

export type PolicyDecision = 'allow' | 'deny' | 'ask';

export interface DecidingRule {
  /** The rule as written, or `hardline:<id>`. */
  name: string;
  origin: RuleOrigin;
  kind: RuleKind;
}

export interface Verdict {
  decision: PolicyDecision;
  /** What decided: the matching rule (or, for an allowed compound command, one per part). */
  by: DecidingRule[];
  /** One line a person (or Claude) can read: which rule, or why nobody decided. */
  reason: string;
  /** Bash: the simple commands no allow rule covers, as text (for proposing a rule). */
  uncovered?: string[];
}

/** What the caller knows beyond the rules it passes. */
export interface EvaluateOptions {
  /**
   * Bash simple commands (as text) other rules already allow: the bot, holding only the rules
   * granted in chat, passes the parts the hook's static rules covered (all but its `uncovered`).
   */
  covered?: (part: string) => boolean;
}

export interface Policy {
  rules: readonly PolicyRule[];
  /** The hardline denies in force (the built-ins minus removed ones, see policy-set.ts). */
  hardline: readonly HardlineDeny[];
}

const SHELL_C = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash']);
const MAX_NESTING = 4;

/** The command and everything it nests (`$( )`, backticks, `sh -c '…'`), each analysed. */
function analyseAll(command: string): { analysis: BashAnalysis; raw: string }[] {
  const out: { analysis: BashAnalysis; raw: string }[] = [];
  const visit = (raw: string, depth: number) => {
    const analysis = analyseBash(raw);
    out.push({ analysis, raw });
    if (depth >= MAX_NESTING) return;
    for (const n of analysis.nested) visit(n, depth + 1);
    for (const p of analysis.parts) {
      const w = unwrap(p.words);
      if (!SHELL_C.has(programOf(p))) continue;
      const c = w.findIndex((x) => /^-[a-z]*c[a-z]*$/.test(x));
      const script = c === -1 ? undefined : w[c + 1];
      if (script !== undefined) visit(script, depth + 1);
    }
  };
  visit(command, 0);
  return out;
}

const byOrigin = (a: PolicyRule, b: PolicyRule) =>
  RULE_ORIGINS.indexOf(a.origin) - RULE_ORIGINS.indexOf(b.origin);
const deciding = (r: PolicyRule): DecidingRule => ({ name: r.rule.raw, origin: r.origin, kind: r.kind });
const rulesOf = (p: Policy, kind: RuleKind) => p.rules.filter((r) => r.kind === kind).sort(byOrigin);

/** Does a Bash rule match this part, as written or as the command its wrappers run? */
function bashRuleHits(r: PolicyRule, part: BashPart): boolean {
  if (r.rule.specifier === undefined) return true;
  if (bashPartMatches(r.rule.specifier, part)) return true;
  const inner = unwrap(part.words);
  return inner.length !== part.words.length && bashPartMatches(r.rule.specifier, { ...part, words: inner });
}

const FD_TARGET = /^(\d+|-)$/;
const SAFE_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);

/** Why this part cannot be allowed automatically whatever the rules say, or undefined. */
function partDoubt(part: BashPart, ctx: PathContext): string | undefined {
  if (part.assignments.length > 0) return `it sets ${part.assignments[0]?.split('=')[0]} for the command`;
  for (const r of part.redirects) {
    if ((r.op === '>&' || r.op === '<&') && FD_TARGET.test(r.target)) continue;
    if (SAFE_TARGETS.has(r.target)) continue;
    if (r.target === '' || hasVariable(r.target)) return 'it redirects to a path Hermes cannot resolve';
    if (!insideWorkdir(r.target, ctx)) return `it redirects to ${r.target}, outside the working copy`;
  }
  return undefined;
}

function evaluateBash(policy: Policy, command: string, ctx: PathContext, opts: EvaluateOptions): Verdict {
  const all = analyseAll(command);
  for (const h of policy.hardline) {
    if (all.some(({ analysis, raw }) => h.test(analysis, raw)))
      return {
        decision: 'deny',
        by: [{ name: hardlineName(h.id), origin: 'hardline', kind: 'deny' }],
        reason: `hardline deny ${h.id}: ${h.description}`,
      };
  }
  const parts = all.flatMap(({ analysis }) => analysis.parts);
  for (const kind of ['deny', 'ask'] as const) {
    for (const r of rulesOf(policy, kind)) {
      if (r.rule.tool !== 'Bash') continue;
      if (parts.some((p) => bashRuleHits(r, p)))
        return { decision: kind, by: [deciding(r)], reason: `${kind} rule ${r.rule.raw} (${r.origin})` };
    }
  }
  const allows = rulesOf(policy, 'allow').filter((r) => r.rule.tool === 'Bash');
  const bare = allows.find((r) => r.rule.specifier === undefined);
  if (bare) return { decision: 'allow', by: [deciding(bare)], reason: `allow rule Bash (${bare.origin})` };
  const top = all[0]?.analysis;
  if (!top || top.parts.length === 0)
    return { decision: 'ask', by: [], reason: 'an empty or unreadable command' };
  const uncovered: string[] = [];
  const used: DecidingRule[] = [];
  for (const p of top.parts) {
    const hit = allows.find((r) => bashRuleHits(r, p));
    if (hit && !used.some((u) => u.name === hit.rule.raw)) used.push(deciding(hit));
    if (!hit && !opts.covered?.(partText(p))) uncovered.push(partText(p));
  }
  if (top.doubts.length > 0)
    return {
      decision: 'ask',
      by: [],
      reason: `no automatic answer: the command has a ${top.doubts[0]}`,
      uncovered,
    };
  for (const p of top.parts) {
    const doubt = partDoubt(p, ctx);
    if (doubt) return { decision: 'ask', by: [], reason: `no automatic answer: ${doubt}`, uncovered };
  }
  if (uncovered.length > 0)
    return { decision: 'ask', by: [], reason: `no rule allows ${JSON.stringify(uncovered[0])}`, uncovered };
  return {
    decision: 'allow',
    by: used,
    reason: `allowed by ${used.map((u) => `${u.name} (${u.origin})`).join(', ')}`,
  };
}

/** The verdict on one call. Never throws on odd input: what it cannot judge, it asks. */
export function evaluate(
  policy: Policy,
  call: ToolCall,
  ctx: PathContext,
  opts: EvaluateOptions = {},
): Verdict {
  if (call.tool === 'Bash') {
    const command = call.input.command;
    if (typeof command !== 'string')
      return { decision: 'ask', by: [], reason: 'a Bash call without a command' };
    return evaluateBash(policy, command, ctx, opts);
  }
  for (const kind of ['deny', 'ask', 'allow'] as const) {
    const mode = kind === 'allow' ? 'every' : 'some';
    for (const r of rulesOf(policy, kind)) {
      if (r.rule.tool === 'Bash' || !toolCovered(r.rule.tool, call.tool)) continue;
      if (ruleMatches(r.rule, call, ctx, mode))
        return { decision: kind, by: [deciding(r)], reason: `${kind} rule ${r.rule.raw} (${r.origin})` };
    }
  }
  return { decision: 'ask', by: [], reason: `no rule decides ${call.tool}` };
}
