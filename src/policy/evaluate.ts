/**
 * The policy's verdict on one tool call: deny, then ask, then allow; a call no rule decides is
 * asked. Built-in hardline denies come first and nothing lifts them.
 *
 * Bash is judged per simple command (bash-parts.ts): a deny or ask rule that matches any part, a
 * command nested in it, or any command a wrapper may run decides for the whole line. An allow
 * needs every part covered as written (wrappers are not looked through), no doubt about the
 * split, no `NAME=value` prefix (it can change what runs), no `--output` file, and redirections
 * only to plain paths in the working copy that no Edit deny or ask rule covers.
 *
 * Some paths are never written without a person, whatever allows it: `.git/` (its config runs
 * programs), `.claude/` and `.codex/` (the hooks that make these decisions).
 */
import {
  analyseBash,
  type BashAnalysis,
  type BashPart,
  displayText,
  hasVariable,
  partText,
} from './bash-parts.js';
import { base, commandCandidates, type HardlineDeny, hardlineName } from './hardline.js';
import { bashPartMatches, EDIT_TOOLS, READ_TOOLS, ruleMatches, type ToolCall, toolCovered } from './match.js';
import { absolutePattern, insideWorkdir, type PathContext, pathForms, toolPaths } from './paths.js';
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

const SCRIPT_TAKERS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'su']);
const MAX_NESTING = 4;

/** The script a `sh -c` / `su -c` candidate runs: the first non-option word after `-c`. */
function scriptOf(w: readonly string[]): string | undefined {
  const c = w.findIndex((x) => /^-[a-z]*c[a-z]*$/.test(x));
  if (c === -1) return undefined;
  return w.slice(c + 1).find((x) => !x.startsWith('-'));
}

/** The command and everything it nests (`$( )`, backticks, `eval`, `sh -c '…'`), each analysed. */
function analyseAll(command: string): { analysis: BashAnalysis; raw: string }[] {
  const out: { analysis: BashAnalysis; raw: string }[] = [];
  const visit = (raw: string, depth: number) => {
    const analysis = analyseBash(raw);
    out.push({ analysis, raw });
    if (depth >= MAX_NESTING) return;
    for (const n of analysis.nested) visit(n, depth + 1);
    for (const p of analysis.parts) {
      for (const w of commandCandidates(p.words)) {
        const program = base(w[0] ?? '');
        if (program === 'eval') visit(w.slice(1).join(' '), depth + 1);
        const script = SCRIPT_TAKERS.has(program) ? scriptOf(w) : undefined;
        if (script !== undefined) visit(script, depth + 1);
      }
    }
  };
  visit(command, 0);
  return out;
}

const byOrigin = (a: PolicyRule, b: PolicyRule) =>
  RULE_ORIGINS.indexOf(a.origin) - RULE_ORIGINS.indexOf(b.origin);
const deciding = (r: PolicyRule): DecidingRule => ({ name: r.rule.raw, origin: r.origin, kind: r.kind });
const rulesOf = (p: Policy, kind: RuleKind) => p.rules.filter((r) => r.kind === kind).sort(byOrigin);
const decided = (kind: RuleKind, r: PolicyRule): Verdict => ({
  decision: kind,
  by: [deciding(r)],
  reason: `${kind} rule ${r.rule.raw} (${r.origin})`,
});

/** Deny and ask rules: the part as written, or any command a wrapper in it may run. */
function bashRuleHitsAny(r: PolicyRule, part: BashPart): boolean {
  if (r.rule.specifier === undefined) return true;
  const spec = r.rule.specifier;
  return commandCandidates(part.words).some((words) => bashPartMatches(spec, { ...part, words }));
}

/** Allow rules: the part exactly as written. */
const bashRuleHitsLiteral = (r: PolicyRule, part: BashPart): boolean =>
  r.rule.specifier === undefined || bashPartMatches(r.rule.specifier, part);

const PROTECTED_DIRS = new Set(['.git', '.claude', '.codex']);

/** Does writing this path change how tools are run or decided (`.git/`, `.claude/`, `.codex/`)? */
export function isProtectedPath(p: string, ctx: PathContext): boolean {
  return pathForms(p, ctx).some((f) => f.split('/').some((seg) => PROTECTED_DIRS.has(seg)));
}

const FD_TARGET = /^(\d+|-)$/;
const SAFE_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr']);
const writes = (op: string) => op !== '<' && op !== '<&';

/** The files a part's redirections name (fd duplications and /dev/null left out). */
const fileTargets = (part: BashPart) =>
  part.redirects.filter(
    (r) => !(((r.op === '>&' || r.op === '<&') && FD_TARGET.test(r.target)) || SAFE_TARGETS.has(r.target)),
  );

/** Why this part cannot be allowed automatically whatever the rules say, or undefined. */
function partDoubt(part: BashPart, ctx: PathContext): string | undefined {
  if (part.assignments.length > 0) return `it sets ${part.assignments[0]?.split('=')[0]} for the command`;
  if (part.words.some((w) => /^--output(=|$)/.test(w))) return 'it writes a file named by --output';
  for (const r of fileTargets(part)) {
    const t = r.target;
    if (
      t === '' ||
      hasVariable(t) ||
      /[*?[\]{}]/.test(t) ||
      (t.startsWith('~') && t !== '~' && !t.startsWith('~/'))
    )
      return `it redirects to ${t || 'a path'} Hermes cannot resolve`;
    if (!insideWorkdir(t, ctx)) return `it redirects to ${t}, outside the working copy`;
    if (writes(r.op) && isProtectedPath(t, ctx)) return `it writes ${t}, which only a person may change`;
  }
  return undefined;
}

/** An Edit deny or ask rule that covers a file the line writes by redirection. */
function redirectRule(policy: Policy, parts: readonly BashPart[], ctx: PathContext): Verdict | undefined {
  const targets = parts.flatMap((p) =>
    fileTargets(p)
      .filter((r) => writes(r.op))
      .map((r) => r.target),
  );
  if (targets.length === 0) return undefined;
  for (const kind of ['deny', 'ask'] as const) {
    for (const r of rulesOf(policy, kind)) {
      if (!EDIT_TOOLS.has(r.rule.tool)) continue;
      if (targets.some((t) => ruleMatches(r.rule, { tool: 'Write', input: { file_path: t } }, ctx, 'some')))
        return decided(kind, r);
    }
  }
  return undefined;
}

function evaluateBash(policy: Policy, command: string, ctx: PathContext, opts: EvaluateOptions): Verdict {
  const all = analyseAll(command);
  for (const h of policy.hardline) {
    if (all.some(({ analysis, raw }) => h.test(analysis, raw, ctx)))
      return {
        decision: 'deny',
        by: [{ name: hardlineName(h.id), origin: 'hardline', kind: 'deny' }],
        reason: `hardline deny ${h.id}: ${h.description}`,
      };
  }
  const parts = all.flatMap(({ analysis }) => analysis.parts);
  for (const kind of ['deny', 'ask'] as const) {
    for (const r of rulesOf(policy, kind)) {
      if (r.rule.tool === 'Bash' && parts.some((p) => bashRuleHitsAny(r, p))) return decided(kind, r);
    }
  }
  const byRedirect = redirectRule(policy, parts, ctx);
  if (byRedirect) return byRedirect;
  const allows = rulesOf(policy, 'allow').filter((r) => r.rule.tool === 'Bash');
  const bare = allows.find((r) => r.rule.specifier === undefined);
  if (bare) return { decision: 'allow', by: [deciding(bare)], reason: `allow rule Bash (${bare.origin})` };
  const top = all[0]?.analysis;
  if (!top || top.parts.length === 0)
    return { decision: 'ask', by: [], reason: 'an empty or unreadable command' };
  const uncovered: string[] = [];
  const used: DecidingRule[] = [];
  for (const p of top.parts) {
    const hit = allows.find((r) => bashRuleHitsLiteral(r, p));
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
    return {
      decision: 'ask',
      by: [],
      reason: `no rule allows ${JSON.stringify(displayText(uncovered[0] ?? ''))}`,
      uncovered,
    };
  return {
    decision: 'allow',
    by: used,
    reason: used.length
      ? `allowed by ${used.map((u) => `${u.name} (${u.origin})`).join(', ')}`
      : 'every part is allowed already',
  };
}

const SEARCH_TOOLS = new Set(['Grep', 'Glob']);
const staticBase = (glob: string) => glob.replace(/\/[^/]*[*?[{].*$/, '') || '/';

/**
 * A search (Grep, Glob) reads files below its path: a Read deny or ask rule whose pattern may
 * match there makes it an ask (which files a search opens is not known before it runs).
 */
function searchMayTouch(r: PolicyRule, call: ToolCall, ctx: PathContext): boolean {
  if (!SEARCH_TOOLS.has(call.tool) || r.rule.specifier === undefined || !READ_TOOLS.has(r.rule.tool))
    return false;
  const roots = toolPaths(call.tool, call.input, ctx);
  if (!roots) return true;
  const patternBase = staticBase(absolutePattern(r.rule.specifier, ctx));
  return roots.some((root) =>
    pathForms(root, ctx).some(
      (f) => f === patternBase || f.startsWith(`${patternBase}/`) || patternBase.startsWith(`${f}/`),
    ),
  );
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
      if (ruleMatches(r.rule, call, ctx, mode)) {
        if (kind === 'allow' && EDIT_TOOLS.has(call.tool)) {
          const paths = toolPaths(call.tool, call.input, ctx) ?? [];
          if (paths.some((p) => isProtectedPath(p, ctx)))
            return {
              decision: 'ask',
              by: [],
              reason: `no automatic answer: ${paths[0]} only a person may change`,
            };
        }
        return decided(kind, r);
      }
      if (kind !== 'allow' && searchMayTouch(r, call, ctx))
        return {
          decision: 'ask',
          by: [deciding(r)],
          reason: `${kind} rule ${r.rule.raw} (${r.origin}) may cover files this search reads`,
        };
    }
  }
  return { decision: 'ask', by: [], reason: `no rule decides ${call.tool}` };
}
