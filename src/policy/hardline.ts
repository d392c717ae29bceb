/**
 * Built-in hardline denies: commands no allow rule, grant or person's click can let through from a
 * hook. Each has a name, so an operator can remove one only by naming it
 * (`runner.hardline_remove`), which is logged at every start.
 *
 * They look through the usual wrappers (`sudo`, `env`, `nohup`, `timeout`, `xargs`, …) and are also
 * applied to commands nested in `$( )`, backticks and `sh -c '…'` (see evaluate.ts).
 */
import { type BashAnalysis, type BashPart, VAR_MARK } from './bash-parts.js';

export interface HardlineDeny {
  id: string;
  description: string;
  test: (analysis: BashAnalysis, raw: string) => boolean;
}

const WRAPPERS = new Set([
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
]);
/** Wrapper options that take the next word as their value. */
const OPTION_ARGS = new Set([
  '-u',
  '-g',
  '-n',
  '-I',
  '-P',
  '-L',
  '-s',
  '-d',
  '-E',
  '-k',
  '-c',
  '-p',
  '-C',
  '-o',
]);

const base = (w: string) => w.slice(w.lastIndexOf('/') + 1);

/** The words of the command a wrapper runs: `sudo -u x env A=1 rm -rf /` -> `rm -rf /`. */
export function unwrap(words: readonly string[]): string[] {
  let w = [...words];
  for (let guard = 0; guard < 8; guard++) {
    const program = w[0];
    if (program === undefined || !WRAPPERS.has(base(program))) return w;
    const isTimeout = base(program) === 'timeout';
    let i = 1;
    while (i < w.length) {
      const x = w[i] ?? '';
      if (x === '--') {
        i++;
        break;
      }
      if (x.startsWith('-')) {
        i += OPTION_ARGS.has(x) ? 2 : 1;
        continue;
      }
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(x)) {
        i++;
        continue;
      }
      break;
    }
    if (isTimeout) i++; // the duration
    w = w.slice(i);
  }
  return w;
}

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
]);
const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'aria2c']);

export const programOf = (p: BashPart): string => base(unwrap(p.words)[0] ?? '');

const HOME_VAR = `${VAR_MARK}HOME${VAR_MARK}`;

function isRootOrHome(word: string): boolean {
  let w = word.replace(HOME_VAR, '~');
  // `/`, `/*`, `/.`, `//`, `~`, `~/`, `~/*` and the like: nothing but slashes, dots and stars after it.
  if (w.startsWith('~')) w = w.slice(1);
  return w === '' || /^[/.*]+$/.test(w);
}

function rmRootOrHome(a: BashAnalysis): boolean {
  return a.parts.some((p) => {
    const w = unwrap(p.words);
    if (base(w[0] ?? '') !== 'rm') return false;
    const args = w.slice(1);
    const recursive = args.some((x) => x === '--recursive' || /^-[a-zA-Z]*[rR]/.test(x));
    return recursive && args.some((x) => !x.startsWith('-') && isRootOrHome(x));
  });
}

const mkfs = (a: BashAnalysis) => a.parts.some((p) => /^(mkfs(\..+)?|mke2fs|mkswap)$/.test(programOf(p)));

const NOT_DEVICES = /^\/dev\/(null|zero|stdout|stderr|tty|fd\/\d+)$/;

function deviceWrite(a: BashAnalysis): boolean {
  return a.parts.some((p) => {
    const w = unwrap(p.words);
    if (base(w[0] ?? '') === 'dd') {
      for (const x of w) {
        if (x.startsWith('of=/dev/') && !NOT_DEVICES.test(x.slice(3))) return true;
      }
    }
    return p.redirects.some(
      (r) =>
        (r.op === '>' || r.op === '>>' || r.op === '>|') &&
        r.target.startsWith('/dev/') &&
        !NOT_DEVICES.test(r.target),
    );
  });
}

const FORK_BOMB = /([A-Za-z_:][A-Za-z0-9_:]*)\s*\(\s*\)\s*\{[^}]*\1\s*\|\s*\1\s*&[^}]*\}\s*;?\s*\1/;

function pipeToShell(a: BashAnalysis): boolean {
  return a.parts.some((p, i) => {
    if (!DOWNLOADERS.has(programOf(p))) return false;
    return a.parts.slice(i + 1).some((q) => q.pipeline === p.pipeline && SHELLS.has(programOf(q)));
  });
}

/** A shell fed by a download: `bash -c "$(curl …)"`, `sh <(wget -O- …)`. */
function shellOfDownload(a: BashAnalysis): boolean {
  const fedByDownload = a.nested.some((n) => /(^|[\s;|&(])(curl|wget|fetch|aria2c)(\s|$)/.test(n));
  return fedByDownload && a.parts.some((p) => SHELLS.has(programOf(p)));
}

export const HARDLINE_DENIES: readonly HardlineDeny[] = [
  { id: 'rm-root-or-home', description: 'recursive rm of / or ~', test: (a) => rmRootOrHome(a) },
  { id: 'mkfs', description: 'making a file system (mkfs, mke2fs, mkswap)', test: (a) => mkfs(a) },
  {
    id: 'device-write',
    description: 'dd or a redirection onto a device under /dev',
    test: (a) => deviceWrite(a),
  },
  { id: 'fork-bomb', description: 'a fork bomb', test: (_a, raw) => FORK_BOMB.test(raw) },
  {
    id: 'pipe-to-shell',
    description: 'running downloaded code (curl|wget … | sh, bash -c "$(curl …)")',
    test: (a) => pipeToShell(a) || shellOfDownload(a),
  },
];

export const HARDLINE_IDS: readonly string[] = HARDLINE_DENIES.map((h) => h.id);

/** `hardline:<id>`: how a built-in hardline deny is named where a rule would be. */
export const hardlineName = (id: string): string => `hardline:${id}`;
