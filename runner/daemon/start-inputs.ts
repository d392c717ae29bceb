/** Resolving what a start needs before tmux is touched: the working directory and the program. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { HermesError } from '../../src/errors.js';

/**
 * The job's working directory: the request's, else the profile's, else the
 * runner's default. `~` means the runner user's home; a relative path is
 * taken from the runner's default directory.
 */
export function resolveCwd(
  requested: string | undefined,
  profileCwd: string | undefined,
  defaultCwd: string,
  userHome: string | undefined,
): string {
  const raw = requested || profileCwd || defaultCwd;
  if (raw === '~' || raw.startsWith('~/')) {
    if (!userHome) throw new HermesError('env', `cannot expand ${raw}: HOME is not set for the runner`);
    return join(userHome, raw.slice(1));
  }
  return isAbsolute(raw) ? raw : resolve(defaultCwd, raw);
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
