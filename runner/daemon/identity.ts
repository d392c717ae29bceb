/**
 * The runner's identity: its id and the pre-shared key it shares with the bot
 * (`hermes runners add R --key K` on the bot side). Kept in
 * `$HERMES_HOME/runner-identity.json`, mode 0600, written once by
 * `hermes runner init` and read by the daemon.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type Clock, isoTime, newToken, type Random } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { ID_RE, NEW_ID_RE, NEW_ID_RULE } from '../../src/protocol/topics.js';
import { writeFileAtomic } from '../atomic-file.js';

export const IDENTITY_FILE = 'runner-identity.json';

export const identityPath = (home: string): string => join(home, IDENTITY_FILE);

const KEY_RE = /^[A-Za-z0-9_-]{32,128}$/;

const IdentityFile = z.strictObject({
  version: z.literal(1),
  runner_id: z.string().regex(ID_RE, 'is not a valid runner id'),
  key: z.string().regex(KEY_RE, 'must be 32-128 base64url characters'),
  created_at: z.string(),
});

export interface RunnerIdentity {
  runnerId: string;
  key: string;
  createdAt: string;
  /** Short hash of the key: names the key in runner.db and logs without revealing it. */
  keyId: string;
}

export function keyIdOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
}

export interface InitIdentityOptions {
  home: string;
  runnerId: string;
  clock: Clock;
  random: Random;
  /** Replace an existing identity (the bot must then be paired again). */
  force?: boolean;
}

/**
 * 32 random bytes, base64url. One key in 64 would start with `-`, and the
 * printed `hermes runners add R --key K` would then read it as an option:
 * such keys are drawn again (about 0.02 bits of the 256 are lost).
 */
export function newRunnerKey(random: Random): string {
  for (;;) {
    const key = newToken(random);
    if (!key.startsWith('-')) return key;
  }
}

/** Create the identity with a fresh key (newRunnerKey). */
export function initRunnerIdentity(o: InitIdentityOptions): RunnerIdentity {
  if (!NEW_ID_RE.test(o.runnerId)) {
    throw new HermesError('usage', `runner id ${JSON.stringify(o.runnerId)} ${NEW_ID_RULE}`, {
      hint: 'for example r1, build-host_2',
    });
  }
  const file = identityPath(o.home);
  if (existsSync(file) && !o.force) {
    const current = tryReadIdentity(o.home);
    throw new HermesError(
      'usage',
      `${file} already holds the identity of runner ${current?.runnerId ?? '(unreadable)'}`,
      {
        hint: 'pass --force to replace it; the bot must then be paired again with the new key',
      },
    );
  }
  mkdirSync(o.home, { recursive: true, mode: 0o700 });
  const key = newRunnerKey(o.random);
  const createdAt = isoTime(o.clock.now());
  const body = { version: 1, runner_id: o.runnerId, key, created_at: createdAt };
  writeFileAtomic(file, `${JSON.stringify(body, null, 2)}\n`, 0o600);
  chmodSync(file, 0o600);
  return { runnerId: o.runnerId, key, createdAt, keyId: keyIdOf(key) };
}

function tryReadIdentity(home: string): RunnerIdentity | undefined {
  try {
    return readRunnerIdentity(home);
  } catch {
    return undefined;
  }
}

/** Read and check the identity file; errors say what to run. */
export function readRunnerIdentity(home: string, warn?: (message: string) => void): RunnerIdentity {
  const file = identityPath(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new HermesError(
      'config',
      missing ? `this HERMES_HOME (${home}) has no runner identity` : `cannot read ${file}`,
      {
        cause,
        hint: missing
          ? 'run `hermes runner init --id R` first, then `hermes runners add R --key K` on the bot'
          : 'check its owner and permissions (it should be 0600)',
      },
    );
  }
  if (warn && (statSync(file).mode & 0o077) !== 0) warn(`${file} is readable by others; chmod 600 it`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new HermesError('config', `${file} is not valid JSON`, { cause });
  }
  const r = IdentityFile.safeParse(raw);
  if (!r.success) {
    const why = r.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    throw new HermesError('config', `${file}: ${why}`, {
      hint: 'recreate it with `hermes runner init --id R --force`',
    });
  }
  return {
    runnerId: r.data.runner_id,
    key: r.data.key,
    createdAt: r.data.created_at,
    keyId: keyIdOf(r.data.key),
  };
}

/** The line to run on the bot side. */
export const pairingCommand = (id: RunnerIdentity): string =>
  `hermes runners add ${id.runnerId} --key ${id.key}`;
