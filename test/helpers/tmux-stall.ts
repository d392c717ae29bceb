/**
 * A `tmux` in front of the real one, first on the runner's PATH, that can hold the runner's
 * `list-sessions` call (the first step of every reconcile pass) until released. With it a test
 * can kill the runner provably in the middle of a reconcile pass, holding its reconcile lock,
 * which a random kill would hit only sometimes.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from './system.js';
import { waitFor } from './wait.js';

export interface TmuxStall {
  /** Prepend to the runner's PATH. */
  binDir: string;
  /** Holds the next `list-sessions`; resolves once a pass is held there. */
  hold(timeoutMs?: number): Promise<void>;
  /** Lets a held call (and every later one) through. */
  release(): void;
}

export function tmuxStall(dir: string): TmuxStall {
  const real = findExecutable('tmux');
  if (real === undefined) throw new Error('tmux is not installed');
  const binDir = join(dir, 'stall-bin');
  mkdirSync(binDir, { recursive: true });
  const holdFile = join(dir, 'stall.hold');
  const heldFile = join(dir, 'stall.held');
  writeFileSync(
    join(binDir, 'tmux'),
    [
      '#!/bin/sh',
      'case " $* " in',
      '  *" list-sessions "*)',
      `    if [ -e "${holdFile}" ]; then`,
      `      : > "${heldFile}"`,
      `      while [ -e "${holdFile}" ]; do sleep 0.05; done`,
      '    fi',
      '    ;;',
      'esac',
      `exec "${real}" "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return {
    binDir,
    async hold(timeoutMs = 30_000) {
      rmSync(heldFile, { force: true });
      writeFileSync(holdFile, '');
      await waitFor(() => existsSync(heldFile), {
        timeoutMs,
        message: 'a reconcile pass to reach tmux list-sessions',
      });
    },
    release() {
      rmSync(holdFile, { force: true });
    },
  };
}
