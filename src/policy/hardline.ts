/**
 * Built-in hardline denies: commands no allow rule, grant or person's click can let through from a
 * hook. Each has a name, so an operator can remove one only by naming it
 * (`runner.hardline_remove`), which is logged at every start.
 *
 * They look through the usual wrappers (`sudo`, `env`, `nohup`, `timeout`, `xargs`, `busybox`, …)
 * and shell keywords (`{`, `!`, `then`, …), and are also applied to commands nested in `$( )`,
 * backticks, `eval` and `sh -c '…'` (see evaluate.ts). Deny checks over-match on purpose: a
 * wrapper's option values are not parsed, every later word is tried as the wrapped program.
 */
import { type BashAnalysis, type BashPart, VAR_MARK } from './bash-parts.js';

export interface HardlineContext {
  /** The agent user's home, so `rm -rf /home/me` is seen as the home it is. */
  home: string;
}

export interface HardlineDeny {
  id: string;
  description: string;
  test: (analysis: BashAnalysis, raw: string, ctx: HardlineContext) => boolean;
}

export const WRAPPERS = new Set([
  'sudo',
  'doas',
  'env',
  'nohup',
  'time',
  'nice',
  'ionice',
  'timeout',
  'command',
  'exec',
  'builtin',
  'xargs',
  'stdbuf',
  'setsid',
  'unbuffer',
  'chrt',
  'taskset',
  'busybox',
  'flock',
  'watch',
  'strace',
]);
/** Shell keywords that may stand before a command. */
const KEYWORDS = new Set([
  '{',
  '}',
  '!',
  'if',
  'then',
  'else',
  'elif',
  'do',
  'while',
  'until',
  'time',
  'coproc',
]);

export const base = (w: string): string => w.slice(w.lastIndexOf('/') + 1);

/**
 * Every command a part might run: its words, and when its program is a wrapper, every later word
 * taken as the wrapped program (`exec -a x rm -rf ~` yields `rm -rf ~` among others).
 */
export function commandCandidates(words: readonly string[]): string[][] {
  let w = [...words];
  while (w.length > 0 && KEYWORDS.has(w[0] ?? '')) w = w.slice(1);
  const out: string[][] = [w];
  const program = w[0];
  if (program !== undefined && WRAPPERS.has(base(program))) {
    for (let i = 1; i < w.length && i < 64; i++) {
      const x = w[i] ?? '';
      if (x.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(x) || /^\d+[smhd]?$/.test(x)) continue;
      out.push(...commandCandidates(w.slice(i)));
    }
  }
  return out;
}

/** The programs a part might run (base names), wrappers looked through. */
export const programsOf = (p: BashPart): string[] => commandCandidates(p.words).map((c) => base(c[0] ?? ''));

const SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'fish',
  'ash',
  'python',
  'python3',
  'perl',
  'ruby',
  'node',
  'php',
  'eval',
  'source',
  '.',
]);
const isShell = (program: string) =>
  SHELLS.has(program) || /^(python|perl|ruby|php|node)[\d.]+$/.test(program);
const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c']);

const HOME_VAR = `${VAR_MARK}HOME${VAR_MARK}`;

function isRootOrHome(word: string, home: string): boolean {
  let w = word.replaceAll(HOME_VAR, '~');
  const h = home.replace(/\/+$/, '');
  if (h !== '' && (w === h || w.startsWith(`${h}/`))) w = `~${w.slice(h.length)}`;
  if (w.startsWith('~')) w = w.slice(1);
  // `/`, `/*`, `/?*`, `/.`, `//`, `~`, `~/`, `~/*` and the like: nothing but slashes, dots and globs.
  return w === '' || /^[/.*?]+$/.test(w);
}

function rmRootOrHome(a: BashAnalysis, ctx: HardlineContext): boolean {
  return a.parts.some((p) =>
    commandCandidates(p.words).some((w) => {
      const program = base(w[0] ?? '');
      const args = w.slice(1);
      const targets = args.filter((x) => !x.startsWith('-'));
      if (program === 'find')
        return args.includes('-delete') && targets.some((x) => isRootOrHome(x, ctx.home));
      if (program !== 'rm') return false;
      const recursive = args.some((x) => /^--rec/.test(x) || /^-[a-zA-Z]*[rR]/.test(x));
      return recursive && targets.some((x) => isRootOrHome(x, ctx.home));
    }),
  );
}

const mkfs = (a: BashAnalysis) =>
  a.parts.some((p) =>
    programsOf(p).some((x) => /^(mkfs(\..+)?|mke2fs|mkswap|mkdosfs|mkntfs|mkexfatfs|wipefs)$/.test(x)),
  );

const NOT_DEVICES = /^\/dev\/(null|zero|stdout|stderr|stdin|tty|random|urandom|fd\/\d+)$/;
const isDevice = (path: string) => {
  const p = path.replace(/\/{2,}/g, '/');
  return p.startsWith('/dev/') && !NOT_DEVICES.test(p);
};
const DEVICE_WRITERS = new Set(['tee', 'cp', 'mv', 'shred', 'install', 'pv', 'rsync', 'cat']);

function deviceWrite(a: BashAnalysis): boolean {
  return a.parts.some((p) => {
    if (p.redirects.some((r) => r.op !== '<' && r.op !== '<&' && isDevice(r.target))) return true;
    return commandCandidates(p.words).some((w) => {
      const program = base(w[0] ?? '');
      if (program === 'dd') return w.some((x) => x.startsWith('of=') && isDevice(x.slice(3)));
      return DEVICE_WRITERS.has(program) && w.slice(1).some((x) => !x.startsWith('-') && isDevice(x));
    });
  });
}

const FORK_BOMBS = [
  /([A-Za-z_:][A-Za-z0-9_:]*)\s*\(\s*\)\s*\{[^}]*\1\s*\|\s*\1\s*&[^}]*\}\s*;?\s*\1/,
  /function\s+([A-Za-z_:][A-Za-z0-9_:]*)\s*(\(\s*\))?\s*\{[^}]*\1\s*\|\s*\1\s*&[^}]*\}\s*;?\s*\1/,
];

/** Files a download writes (`-o F`, `-O F`, `--output F`, `--output=F`). */
function downloadTargets(w: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) {
    const x = w[i] ?? '';
    if ((x === '-o' || x === '-O' || x === '--output' || x === '--output-document') && w[i + 1])
      out.push(w[i + 1] ?? '');
    else if (x.startsWith('--output=') || x.startsWith('--output-document='))
      out.push(x.slice(x.indexOf('=') + 1));
    else if (/^-[a-zA-Z]*[oO]$/.test(x) && w[i + 1]) out.push(w[i + 1] ?? '');
  }
  return out;
}

function pipeToShell(a: BashAnalysis): boolean {
  return a.parts.some((p, i) => {
    const downloads = commandCandidates(p.words).filter((w) => DOWNLOADERS.has(base(w[0] ?? '')));
    if (downloads.length === 0) return false;
    const files = new Set(downloads.flatMap(downloadTargets));
    return a.parts.slice(i + 1).some((q) =>
      commandCandidates(q.words).some((w) => {
        if (!isShell(base(w[0] ?? ''))) return false;
        // Piped into a shell, or the downloaded file run by one afterwards.
        return q.pipeline === p.pipeline || w.slice(1).some((x) => files.has(x));
      }),
    );
  });
}

const DOWNLOAD_IN_TEXT = /(^|[\s;|&(\\/"'`])(curl|wget|fetch|aria2c)(\s|$)/;

/** A shell fed by a download: `bash -c "$(curl …)"`, `sh <(wget -O- …)`, `eval "$(curl …)"`. */
function shellOfDownload(a: BashAnalysis): boolean {
  const fedByDownload = a.nested.some((n) => DOWNLOAD_IN_TEXT.test(n));
  return fedByDownload && a.parts.some((p) => programsOf(p).some(isShell));
}

export const HARDLINE_DENIES: readonly HardlineDeny[] = [
  {
    id: 'rm-root-or-home',
    description: 'recursive rm (or find -delete) of / or ~',
    test: (a, _r, c) => rmRootOrHome(a, c),
  },
  {
    id: 'mkfs',
    description: 'making or wiping a file system (mkfs, mke2fs, mkswap, wipefs, …)',
    test: (a) => mkfs(a),
  },
  {
    id: 'device-write',
    description: 'dd, a copy or a redirection onto a device under /dev',
    test: (a) => deviceWrite(a),
  },
  { id: 'fork-bomb', description: 'a fork bomb', test: (_a, raw) => FORK_BOMBS.some((re) => re.test(raw)) },
  {
    id: 'pipe-to-shell',
    description: 'running downloaded code (curl|wget … | sh, bash -c "$(curl …)")',
    test: (a) => pipeToShell(a) || shellOfDownload(a),
  },
];

export const HARDLINE_IDS: readonly string[] = HARDLINE_DENIES.map((h) => h.id);

/** `hardline:<id>`: how a built-in hardline deny is named where a rule would be. */
export const hardlineName = (id: string): string => `hardline:${id}`;
