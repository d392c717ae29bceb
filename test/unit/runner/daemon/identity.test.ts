import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  identityPath,
  initRunnerIdentity,
  keyIdOf,
  newRunnerKey,
  pairingCommand,
  readRunnerIdentity,
} from '../../../../runner/daemon/identity.js';
import { checkRunnerId } from '../../../../runner/daemon/runner-setup.js';
import { systemRandom } from '../../../../src/clock.js';
import { isHermesError } from '../../../../src/errors.js';
import { runHermes } from '../../../helpers/cli.js';

const clock = { now: () => Date.parse('2026-06-21T10:00:00Z') };

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a throw');
}

describe('runner identity', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'hermes-identity-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('creates a 0600 identity with a 32-byte base64url key and reads it back', () => {
    const id = initRunnerIdentity({ home, runnerId: 'build-01', clock, random: systemRandom });
    expect(id.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(id.key, 'base64url')).toHaveLength(32);
    expect(statSync(identityPath(home)).mode & 0o777).toBe(0o600);
    expect(readRunnerIdentity(home)).toEqual(id);
    expect(id.keyId).toBe(keyIdOf(id.key));
    expect(id.keyId).not.toContain(id.key.slice(0, 8));
    expect(pairingCommand(id)).toBe(`hermes runners add build-01 --key ${id.key}`);
  });

  it('refuses a new runner id with a dot, saying why', () => {
    const e = thrown(() => initRunnerIdentity({ home, runnerId: 'build.01', clock, random: systemRandom }));
    expect(isHermesError(e, 'usage')).toBe(true);
    expect(e.message).toMatch(/runner id "build\.01" .*no "\.".*RabbitMQ and NATS/);
  });

  it('never makes a key that the pairing line would read as an option', () => {
    // A random source whose first draws encode to keys starting with '-' (0xf8.. -> '-' in base64url).
    const draws = [Buffer.alloc(32, 0xf8), Buffer.alloc(32, 0xfb), Buffer.alloc(32, 0x41)];
    const random = { bytes: () => draws.shift()!, float: () => 0 };
    expect(Buffer.alloc(32, 0xf8).toString('base64url').startsWith('-')).toBe(true);
    expect(newRunnerKey(random)).toBe(Buffer.alloc(32, 0x41).toString('base64url'));
  });

  it('refuses to overwrite unless forced, and a forced init changes the key', () => {
    const first = initRunnerIdentity({ home, runnerId: 'r1', clock, random: systemRandom });
    const e = thrown(() => initRunnerIdentity({ home, runnerId: 'r2', clock, random: systemRandom }));
    expect(isHermesError(e, 'usage')).toBe(true);
    expect(e.message).toMatch(/already holds the identity of runner r1/);
    const second = initRunnerIdentity({ home, runnerId: 'r2', clock, random: systemRandom, force: true });
    expect(second.key).not.toBe(first.key);
    expect(readRunnerIdentity(home).runnerId).toBe('r2');
  });

  it('says what to run when there is none, and names the bad field of a damaged file', () => {
    const missing = thrown(() => readRunnerIdentity(home));
    expect(missing.message).toMatch(/has no runner identity/);
    expect((missing as { hint?: string }).hint).toMatch(/hermes runner init --id R/);
    writeFileSync(
      identityPath(home),
      JSON.stringify({ version: 1, runner_id: 'r/1', key: 'short', created_at: 'x' }),
    );
    const bad = thrown(() => readRunnerIdentity(home));
    expect(bad.message).toMatch(/runner_id: is not a valid runner id; key: must be 32-128 base64url/);
  });

  it('a daemon runs only as the runner its home was initialised for', () => {
    expect(checkRunnerId('r1', undefined, home)).toBe('r1');
    expect(checkRunnerId('r1', 'r1', home)).toBe('r1');
    const e = thrown(() => checkRunnerId('r1', 'r2', home));
    expect(e.message).toBe(`this HERMES_HOME (${home}) belongs to runner r1, not r2`);
    expect((e as { hint?: string }).hint).toMatch(/--id r1/);
  });

  it('hermes runner init prints the pairing line, or JSON', async () => {
    const text = await runHermes(['runner', 'init', '--id', 'r1'], { env: { HERMES_HOME: home } });
    expect(text.code).toBe(0);
    const key = JSON.parse(readFileSync(identityPath(home), 'utf8')).key as string;
    expect(text.stdout).toContain(`  hermes runners add r1 --key ${key}\n`);
    const again = await runHermes(['runner', 'init', '--id', 'r1'], { env: { HERMES_HOME: home } });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--force/);
    const json = await runHermes(['runner', 'init', '--id', 'r9', '--force', '--json'], {
      env: { HERMES_HOME: home },
    });
    expect(JSON.parse(json.stdout)).toEqual({ runner_id: 'r9', key: expect.stringMatching(/^[\w-]{43}$/) });
  });
});
