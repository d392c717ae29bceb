/**
 * Permission rules in Claude Code's own syntax, which the people who write them already know:
 * `Tool` or `Tool(specifier)`, e.g. `Bash(npm test)` (exact), `Bash(npm run test:*)` (prefix),
 * `Read(src/**)`, `Edit(/abs/path/**)` (gitignore-style paths), `WebFetch(domain:example.com)`,
 * `mcp__server__tool`.
 *
 * Parsing only checks the shape; what a specifier means is the matcher's (match.ts).
 */
import { HermesError } from '../errors.js';

export interface Rule {
  /** The text as written, trimmed: how the rule is named in chat, logs and answers. */
  raw: string;
  tool: string;
  /** Inside the parentheses; undefined for a bare tool rule. */
  specifier?: string;
}

export const RULE_KINDS = ['deny', 'ask', 'allow'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** Where a rule comes from, strongest first; shown by `/hermes rules`. */
export const RULE_ORIGINS = ['hardline', 'bot', 'profile', 'granted'] as const;
export type RuleOrigin = (typeof RULE_ORIGINS)[number];

export interface PolicyRule {
  rule: Rule;
  kind: RuleKind;
  origin: RuleOrigin;
  /** Granted rules: who granted it and when (ISO time). */
  granted_by?: string;
  granted_at?: string;
}

const TOOL_RE = /^[A-Za-z][A-Za-z0-9_]*$/;
const MAX_RULE_CHARS = 1000;

/** Tools whose specifier is a path pattern. */
export const PATH_TOOLS = new Set([
  'Read',
  'Edit',
  'Write',
  'MultiEdit',
  'NotebookEdit',
  'Grep',
  'Glob',
  'LS',
]);

function invalid(text: string, why: string): HermesError {
  return new HermesError('usage', `rule ${JSON.stringify(text)}: ${why}`, {
    hint: 'write rules as Tool or Tool(specifier), e.g. Bash(npm test:*), Edit(src/**), WebFetch(domain:example.com)',
  });
}

/** Parses one rule; the error names the rule and what is wrong with it. */
export function parseRule(text: string): Rule {
  const raw = text.trim();
  if (raw === '') throw invalid(text, 'is empty');
  if (raw.length > MAX_RULE_CHARS)
    throw invalid(raw.slice(0, 40), `is longer than ${MAX_RULE_CHARS} characters`);
  if (/[\0\r\n]/.test(raw)) throw invalid(raw, 'holds a line break or NUL');
  const open = raw.indexOf('(');
  if (open === -1) {
    // `mcp__server__*`: every tool of one MCP server.
    if (/^mcp__[A-Za-z0-9_-]+__\*$/.test(raw)) return { raw, tool: raw };
    if (!TOOL_RE.test(raw)) throw invalid(raw, 'the tool name must be letters, digits and _');
    return { raw, tool: raw };
  }
  const tool = raw.slice(0, open);
  if (!TOOL_RE.test(tool)) throw invalid(raw, 'the tool name must be letters, digits and _');
  if (!raw.endsWith(')')) throw invalid(raw, 'missing the closing parenthesis');
  const specifier = raw.slice(open + 1, -1).trim();
  if (specifier === '') throw invalid(raw, 'empty parentheses; write the bare tool name to match every call');
  if (tool === 'Bash' && specifier.includes(':*') && !specifier.endsWith(':*'))
    throw invalid(raw, ':* marks a prefix and may only stand at the end');
  if (tool === 'WebFetch' && !specifier.startsWith('domain:'))
    throw invalid(raw, 'WebFetch rules name a domain: WebFetch(domain:example.com)');
  if (tool === 'WebFetch' && !/^domain:(\*\.)?[A-Za-z0-9.-]+$/.test(specifier))
    throw invalid(raw, 'the domain must be a host name, optionally starting with *.');
  if (PATH_TOOLS.has(tool) && specifier.includes('\\')) throw invalid(raw, 'paths use / as the separator');
  return { raw, tool, specifier };
}

/** Parses a list of rules of one kind; the error names the key and the rule. */
export function parseRules(key: string, texts: readonly string[]): Rule[] {
  return texts.map((t, i) => {
    try {
      return parseRule(t);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new HermesError('config', `${key}[${i}]: ${msg}`);
    }
  });
}
