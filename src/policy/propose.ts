/**
 * The rule Hermes offers on a permission request's "Approve <rule> for this job" button: as narrow
 * as still useful, never wider than a person can read at a glance.
 *
 * - Bash: the leading words of the one simple command no rule covers yet, as a prefix rule
 *   (`npm test -- x` -> `Bash(npm test:*)`, `npm run lint` -> `Bash(npm run lint:*)`). Programs
 *   that can do anything whatever their first words (rm, curl, sudo, a shell, an interpreter) get
 *   the exact command instead. More than one uncovered command, a variable or a doubt: no rule.
 * - Edit / Write / MultiEdit / NotebookEdit: the file's folder, `Edit(src/chat/**)`.
 * - Read-family tools outside the working copy: the folder, absolute, `Read(/srv/data/**)`.
 * - WebFetch: the host, `WebFetch(domain:nodejs.org)`.
 * - anything else: the tool name.
 */
import { dirname, relative, sep } from 'node:path';
import { analyseBash, hasVariable } from './bash-parts.js';
import { WRAPPERS } from './hardline.js';
import { EDIT_TOOLS, READ_TOOLS, type ToolCall } from './match.js';
import { absolutePath, type PathContext, realPath, toolPaths } from './paths.js';

/** Programs whose leading words say nothing about what they do: only the exact command is offered. */
const EXACT_ONLY = new Set([
  'rm',
  'rmdir',
  'mv',
  'cp',
  'dd',
  'chmod',
  'chown',
  'chgrp',
  'ln',
  'curl',
  'wget',
  'ssh',
  'scp',
  'rsync',
  'sudo',
  'doas',
  'su',
  'env',
  'xargs',
  'eval',
  'exec',
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'fish',
  'python',
  'python3',
  'node',
  'perl',
  'ruby',
  'php',
  'deno',
  'bun',
  'kill',
  'pkill',
  'killall',
  'cat',
  'tee',
  'find',
  'sed',
  'awk',
  'git-shell',
  'nc',
  'ncat',
  'socat',
  'docker',
  'kubectl',
  ...WRAPPERS,
  'su',
  'source',
  '.',
  'eval',
]);
const INTERPRETER_RE = /^(python|node|perl|ruby|php|deno|bun)[\d.]*$/;
/** `<tool> run <script>` runners: the script name is part of the prefix. */
const SCRIPT_RUNNERS = new Set(['npm', 'pnpm', 'yarn', 'bun']);
const SUBCOMMAND_RE = /^[A-Za-z][A-Za-z0-9_:.-]*$/;
const quoteWord = (w: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

/** The prefix rule for one simple command's words, or undefined when none would be safe. */
export function bashRuleFor(words: readonly string[]): string | undefined {
  const program = words[0];
  if (program === undefined || words.some(hasVariable)) return undefined;
  const name = program.slice(program.lastIndexOf('/') + 1);
  const second = words[1];
  // An option before the subcommand (`git -c x log`, `npx -y pkg`) changes what runs: exact only.
  if (EXACT_ONLY.has(name) || INTERPRETER_RE.test(name) || second?.startsWith('-'))
    return `Bash(${words.map(quoteWord).join(' ')})`;
  const lead = [program];
  if (second !== undefined && SUBCOMMAND_RE.test(second) && !second.includes('.')) {
    lead.push(second);
    const third = words[2];
    if (SCRIPT_RUNNERS.has(name) && second === 'run' && third !== undefined && SUBCOMMAND_RE.test(third))
      lead.push(third);
  }
  return `Bash(${lead.map(quoteWord).join(' ')}:*)`;
}

function folderRule(tool: string, path: string, ctx: PathContext): string | undefined {
  const abs = realPath(absolutePath(path, ctx));
  const root = realPath(ctx.cwd);
  const folder = dirname(abs);
  const rel = relative(root, folder);
  const inside = rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep));
  if (inside) return rel === '' ? `${tool}(./*)` : `${tool}(${rel.split(sep).join('/')}/**)`;
  return `${tool}(/${folder.replace(/^\/+/, '')}/**)`;
}

/**
 * The rule to offer for a call, given the simple commands the job's rules do not cover yet
 * (`uncovered`, from the hook's verdict; all of the command's when unknown).
 */
export function proposeRule(
  call: ToolCall,
  ctx: PathContext,
  uncovered?: readonly string[],
): string | undefined {
  if (call.tool === 'Bash') {
    const command = call.input.command;
    if (typeof command !== 'string') return undefined;
    const open = uncovered ?? [command];
    if (open.length !== 1) return undefined;
    const a = analyseBash(open[0] ?? '');
    if (a.doubts.length > 0 || a.parts.length !== 1) return undefined;
    const part = a.parts[0];
    if (!part || part.assignments.length > 0) return undefined;
    return bashRuleFor(part.words);
  }
  if (EDIT_TOOLS.has(call.tool) || READ_TOOLS.has(call.tool)) {
    const paths = toolPaths(call.tool, call.input, ctx);
    const first = paths?.[0];
    if (first === undefined || (paths?.length ?? 0) > 1) return call.tool;
    const family = EDIT_TOOLS.has(call.tool) ? 'Edit' : 'Read';
    return folderRule(
      family,
      call.tool === 'Grep' || call.tool === 'Glob' || call.tool === 'LS' ? `${first}/x` : first,
      ctx,
    );
  }
  if (call.tool === 'WebFetch' && typeof call.input.url === 'string') {
    try {
      const host = new URL(call.input.url).hostname.toLowerCase();
      if (host) return `WebFetch(domain:${host})`;
    } catch {
      return undefined;
    }
  }
  return call.tool;
}
