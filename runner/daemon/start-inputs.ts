/** Resolving what a start needs before tmux is touched: the working directory and the program. */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve, sep } from 'node:path';
import { HermesError } from '../../src/errors.js';

/**
 * The job's working directory: the request's, else the profile's, else the
 * runner's default. `~` means the runner user's home; a relative path is
 * taken from the runner's default directory.
 *
 * The profile's and the default are the operator's choice. A requested one
 * comes from whoever may register jobs (chat), so it must resolve, symlinks
 * followed, inside one of `roots` (runner.cwd_roots), exist, and not be
 * writable by everyone; with no roots a request may not choose at all.
 * Otherwise a person allowed to register but not to approve could start a
 * profile in any folder (its hooks, its scripts, the runner's own home).
 */
export function resolveCwd(
  requested: string | undefined,
  profileCwd: string | undefined,
  defaultCwd: string,
  userHome: string | undefined,
  roots: readonly string[] = [],
): string {
  if (!requested) return expand(profileCwd || defaultCwd, defaultCwd, userHome);
  if (roots.length === 0) {
    throw new HermesError('forbidden', 'this runner lets no job choose its working directory (--cwd)', {
      hint: 'leave out --cwd, or set runner.cwd_roots (HERMES_CWD_ROOTS) on the runner to the folders jobs may use',
    });
  }
  const wanted = expand(requested, defaultCwd, userHome);
  const real = realOrNull(wanted);
  if (!real || !statSync(real).isDirectory()) {
    throw new HermesError('env', `working directory ${requested} does not exist on this runner`);
  }
  const inside = roots
    .map((r) => realOrNull(expand(r, defaultCwd, userHome)))
    .some(
      (root) => root !== null && (real === root || real.startsWith(root.endsWith(sep) ? root : root + sep)),
    );
  if (!inside) {
    throw new HermesError(
      'forbidden',
      `working directory ${requested} is outside the folders this runner allows`,
      {
        hint: `allowed: ${roots.join(', ')} (runner.cwd_roots)`,
      },
    );
  }
  if ((statSync(real).mode & 0o002) !== 0) {
    throw new HermesError('forbidden', `working directory ${requested} is writable by everyone; not used`);
  }
  return real;
}

function expand(raw: string, defaultCwd: string, userHome: string | undefined): string {
  if (raw === '~' || raw.startsWith('~/')) {
    if (!userHome) throw new HermesError('env', `cannot expand ${raw}: HOME is not set for the runner`);
    return join(userHome, raw.slice(1));
  }
  return isAbsolute(raw) ? raw : resolve(defaultCwd, raw);
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Fails with the cause when the profile's program cannot be found from the
 * session's PATH. `hermes run` would report it too (exit 127), but the
 * runner can say it before a session exists.
 */
export function checkProgram(program: string, cwd: string, path: string): void {
  if (program.includes('/')) {
    const full = isAbsolute(program) ? program : join(cwd, program);
    if (!isExecutableFile(full)) {
      throw new HermesError('env', `program ${program} does not exist or is not executable`, {
        hint: 'install it, or fix the profile argv',
      });
    }
    return;
  }
  const dirs = path.split(delimiter).filter(Boolean);
  if (!dirs.some((d) => isExecutableFile(join(d, program)))) {
    throw new HermesError('env', `program ${program} is not installed on this runner (not on PATH)`, {
      hint: 'install it, or set PATH in the profile env',
    });
  }
}
