/**
 * Does one rule match one tool call? Tool families follow Claude Code: a `Read` rule covers the
 * tools that read files (Read, Grep, Glob, LS), an `Edit` rule the ones that change them (Edit,
 * Write, MultiEdit, NotebookEdit). `mode` says how a call that touches several things is judged:
 * `every` for allow rules (all of it must be covered), `some` for deny and ask rules.
 */
import { type BashPart, hasVariable, partText, shellWords } from './bash-parts.js';
import { type PathContext, pathForms, patternMatches, toolPaths } from './paths.js';
import type { Rule } from './rule.js';

export type MatchMode = 'every' | 'some';

export const READ_TOOLS = new Set(['Read', 'Grep', 'Glob', 'LS', 'NotebookRead']);
export const EDIT_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);

export interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
}

/** Is the call's tool one the rule's tool name covers? */
export function toolCovered(ruleTool: string, callTool: string): boolean {
  if (ruleTool === callTool) return true;
  if (ruleTool === 'Read') return READ_TOOLS.has(callTool);
  if (ruleTool === 'Edit') return EDIT_TOOLS.has(callTool);
  // `mcp__server` and `mcp__server__*` cover every tool of that server.
  if (ruleTool.startsWith('mcp__')) {
    const server = ruleTool.endsWith('__*') ? ruleTool.slice(0, -3) : ruleTool;
    return server.split('__').length === 2 && callTool.startsWith(`${server}__`);
  }
  return false;
}

const specCache = new Map<string, (text: string) => boolean>();

const wordsOf = (s: string): string =>
  shellWords(s)
    .map((t) => (typeof t === 'string' ? t : 'op' in t ? t.op : ''))
    .join(' ');

/** The test a Bash specifier stands for, on a simple command's words joined by spaces. */
function bashSpec(spec: string): (text: string) => boolean {
  let test = specCache.get(spec);
  if (test) return test;
  if (spec.endsWith(':*')) {
    const prefix = wordsOf(spec.slice(0, -2));
    test = (t) => t === prefix || t.startsWith(`${prefix} `);
  } else if (spec.includes('*')) {
    const re = new RegExp(
      `^${spec
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      's',
    );
    test = (t) => re.test(t);
  } else {
    const exact = wordsOf(spec);
    test = (t) => t === exact;
  }
  specCache.set(spec, test);
  return test;
}

/** Does a Bash specifier match one simple command? A variable as the program never matches. */
export function bashPartMatches(spec: string, part: BashPart): boolean {
  const program = part.words[0];
  if (program === undefined || hasVariable(program)) return false;
  return bashSpec(spec)(partText(part));
}

function hostOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    // `example.com.` is the same host as `example.com`.
    return new URL(url).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

function domainMatches(spec: string, url: unknown): boolean {
  const host = hostOf(url);
  if (host === undefined) return false;
  const domain = spec.slice('domain:'.length).toLowerCase();
  if (domain.startsWith('*.')) return host.endsWith(domain.slice(1));
  return host === domain;
}

/**
 * Does a non-Bash rule match the call? (Bash rules are matched per simple command by the
 * evaluator, which knows how the command splits.)
 */
export function ruleMatches(rule: Rule, call: ToolCall, ctx: PathContext, mode: MatchMode): boolean {
  if (!toolCovered(rule.tool, call.tool)) return false;
  if (rule.specifier === undefined) return true;
  const spec = rule.specifier;
  if (rule.tool === 'WebFetch') return domainMatches(spec, call.input.url);
  if (READ_TOOLS.has(rule.tool) || EDIT_TOOLS.has(rule.tool)) {
    const paths = toolPaths(call.tool, call.input, ctx);
    if (paths === undefined || paths.length === 0) return false;
    const forms = paths.map((p) => pathForms(p, ctx));
    const hit = (f: string) => patternMatches(spec, f, ctx);
    return mode === 'every' ? forms.every((fs) => fs.every(hit)) : forms.some((fs) => fs.some(hit));
  }
  if (rule.tool === 'Task') return call.input.subagent_type === spec;
  return false;
}
