/**
 * Where this Hermes installation's files are, found from this module's own
 * location (the same code runs from the checkout's TypeScript in tests and
 * from dist/ in production), and the `hermes` command the runner gives its
 * sessions.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HermesError } from '../../src/errors.js';
import { writeFileAtomic } from '../atomic-file.js';

export interface InstallPaths {
  /** The package root (holds bin/hermes.js). */
  root: string;
  /** bin/hermes.js */
  hermesBin: string;
  /** The compiled demo agent, dist/runner/agents/demo-agent.js. */
  demoAgent: string;
  /** The agent hooks' one-file entry, dist/agent/hook.cjs (package.json build:hook). */
  hookEntry: string;
  /** node running this process. */
  node: string;
}

export function findInstallPaths(from: string = import.meta.dirname, node: string = process.execPath) {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'bin', 'hermes.js')) && existsSync(join(dir, 'package.json'))) break;
    const up = dirname(dir);
    if (up === dir) {
      throw new HermesError('env', `cannot find bin/hermes.js above ${from}`, {
        hint: 'run hermes from its installed package or a built checkout (npm run build)',
      });
    }
    dir = up;
  }
  return {
    root: dir,
    hermesBin: join(dir, 'bin', 'hermes.js'),
    demoAgent: join(dir, 'dist', 'runner', 'agents', 'demo-agent.js'),
    hookEntry: join(dir, 'dist', 'agent', 'hook.cjs'),
    node,
  } satisfies InstallPaths;
}

/** POSIX shell single-quoting: the only character needing care inside '…' is ' itself. */
export const shellQuote = (s: string): string => `'${s.replaceAll("'", `'"'"'`)}'`;

/**
 * Writes `$HERMES_HOME/bin/hermes`, a two-line script running this node with
 * this bin/hermes.js, and returns its folder. Sessions get it first on PATH,
 * so agents, hooks and the demo call `hermes` whatever the host's PATH holds.
 * The script names fixed paths only; nothing from a job goes into it.
 */
export function writeHermesShim(home: string, paths: InstallPaths): string {
  const dir = join(home, 'bin');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const body = `#!/bin/sh\n# Written by the Hermes runner at start; edits are overwritten.\nexec ${shellQuote(paths.node)} ${shellQuote(paths.hermesBin)} "$@"\n`;
  writeFileAtomic(join(dir, 'hermes'), body, 0o755);
  return dir;
}
