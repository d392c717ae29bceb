/**
 * Which system tools the integration tests can use. Checked by looking for an executable file,
 * without spawning anything, and cached for the life of the worker.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const found = new Map<string, string | undefined>();

/** Absolute path of an executable found in `extra` or on PATH, or undefined. */
export function findExecutable(name: string, extra: string[] = []): string | undefined {
  if (found.has(name)) return found.get(name);
  const dirs = [...extra, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  let hit: string | undefined;
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      hit = candidate;
      break;
    } catch {
      // not here; keep looking
    }
  }
  found.set(name, hit);
  return hit;
}

/** Debian installs the broker in /usr/sbin, which is not on every user's PATH. */
export const mosquittoPath = (): string | undefined =>
  findExecutable('mosquitto', ['/usr/sbin', '/usr/local/sbin']);
export const hasMosquitto = (): boolean => mosquittoPath() !== undefined;
export const hasTmux = (): boolean => findExecutable('tmux') !== undefined;
export const hasPython = (): boolean => findExecutable('python3') !== undefined;

/** Debian's python3-paho-mqtt installs for Debian's own interpreter, not for a pyenv one on PATH. */
const DEBIAN_PYTHON = '/usr/bin/python3';
const PAHO_FILE = '/usr/lib/python3/dist-packages/paho/mqtt/client.py';

/** The interpreter that can `import paho.mqtt` (Debian's), or undefined; checked without spawning. */
export function pahoPython(): string | undefined {
  try {
    accessSync(DEBIAN_PYTHON, constants.X_OK);
    accessSync(PAHO_FILE, constants.R_OK);
    return DEBIAN_PYTHON;
  } catch {
    return undefined;
  }
}

/** CI sets this so a missing tool fails the run instead of quietly skipping tests. */
export const requireSystemDeps = (): boolean => process.env.HERMES_REQUIRE_SYSTEM_DEPS === '1';
