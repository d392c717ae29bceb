/**
 * Path rules (`Read(src/**)`, `Edit(/abs/**)`): gitignore-style patterns, matched against the paths
 * a tool call touches.
 *
 * Pattern forms: `/x` and `//x` are absolute, `~/x` is under the runner's home, `./x` and `x/y` are
 * relative to the job's working directory, and a pattern with no `/` (`*.env`, `.env`) matches at
 * any depth under it, as in .gitignore; a trailing `/` means everything below.
 *
 * A path is checked twice: as written (normalised, `..` resolved) and with symlinks followed. An
 * allow must hold for both (a symlink in the working copy that points out of it is not "inside"),
 * a deny or ask for either.
 */
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type picomatchType from 'picomatch';

// Loaded on first use: the hook runs on every tool call, and the common patterns (`./**`, `src/**`)
// are a plain prefix test that needs no glob engine.
const requireCjs = createRequire(import.meta.url);
let picomatch: typeof picomatchType | undefined;
const GLOB_CHARS = /[*?[\]{}()!+@]/;

export interface PathContext {
  /** The job's working directory. */
  cwd: string;
  /** The home of the user the agent runs as, for `~/` patterns and paths. */
  home: string;
}

/** Symlinks followed for the longest prefix that exists; the rest is kept as written. */
export function realPath(p: string): string {
  let head = p;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = realpathSync(head);
      return tail.length ? join(real, ...tail.reverse()) : real;
    } catch {
      const up = dirname(head);
      if (up === head) return p;
      tail.push(basename(head));
      head = up;
    }
  }
}

/** An input path made absolute against the working directory (`~/` against home), `..` resolved. */
export function absolutePath(p: string, ctx: PathContext): string {
  if (p === '~' || p.startsWith('~/')) return resolve(ctx.home, p.slice(2));
  return resolve(ctx.cwd, p);
}

/** Both forms of a path a call touches: as written and with symlinks followed. */
export function pathForms(p: string, ctx: PathContext): string[] {
  const abs = absolutePath(p, ctx);
  const real = realPath(abs);
  return real === abs ? [abs] : [abs, real];
}

/** The absolute glob a path specifier stands for. */
export function absolutePattern(spec: string, ctx: PathContext): string {
  let pattern = spec;
  if (pattern.endsWith('/')) pattern = `${pattern}**`;
  if (pattern.startsWith('//')) return pattern.slice(1);
  if (isAbsolute(pattern)) return pattern;
  if (pattern === '~' || pattern.startsWith('~/')) return join(ctx.home, pattern.slice(2));
  const cwd = realPath(ctx.cwd);
  if (pattern.startsWith('./')) return join(cwd, pattern.slice(2));
  if (!pattern.replace(/\/\*\*$/, '').includes('/')) return join(cwd, '**', pattern);
  return join(cwd, pattern);
}

const compiled = new Map<string, (p: string) => boolean>();

/** A `dir/**` glob is a prefix test; anything else goes to picomatch, loaded on first use. */
function compile(glob: string): (p: string) => boolean {
  const prefix = glob.endsWith('/**') ? glob.slice(0, -3) : undefined;
  if (prefix !== undefined && !GLOB_CHARS.test(prefix))
    return (p: string) => p === prefix || p.startsWith(`${prefix}/`);
  picomatch ??= requireCjs('picomatch') as typeof picomatchType;
  const test: (p: string) => boolean = picomatch(glob, { dot: true });
  return test;
}

function matcher(glob: string): (p: string) => boolean {
  const known = compiled.get(glob);
  if (known) return known;
  const m = compile(glob);
  compiled.set(glob, m);
  return m;
}

/** Does the path specifier match this form of a path? */
export function patternMatches(spec: string, path: string, ctx: PathContext): boolean {
  return matcher(absolutePattern(spec, ctx))(path);
}

/** Is the path inside the working directory (itself included), in every form? */
export function insideWorkdir(p: string, ctx: PathContext): boolean {
  const root = realPath(resolve(ctx.cwd));
  return pathForms(p, ctx).every((f) => f === root || f.startsWith(root + sep));
}

/** The paths a file tool's call touches; undefined when the input names none it can be judged by. */
export function toolPaths(
  tool: string,
  input: Record<string, unknown>,
  ctx: PathContext,
): string[] | undefined {
  const str = (k: string) =>
    typeof input[k] === 'string' && input[k] !== '' ? (input[k] as string) : undefined;
  switch (tool) {
    case 'Read':
    case 'Edit':
    case 'Write':
    case 'MultiEdit': {
      const f = str('file_path');
      return f === undefined ? undefined : [f];
    }
    case 'NotebookEdit':
    case 'NotebookRead': {
      const f = str('notebook_path');
      return f === undefined ? undefined : [f];
    }
    case 'LS': {
      const f = str('path');
      return f === undefined ? undefined : [f];
    }
    case 'Grep':
      return [str('path') ?? ctx.cwd];
    case 'Glob': {
      const base = str('path') ?? ctx.cwd;
      const pattern = str('pattern') ?? '';
      // A pattern that is absolute, climbs out (`..` anywhere) or has braces reaches past its base
      // in ways a prefix cannot show: nothing to judge it by (an ask).
      if (isAbsolute(pattern) || pattern.split('/').includes('..') || /[{}]/.test(pattern)) return undefined;
      return [base];
    }
    default:
      return undefined;
  }
}
