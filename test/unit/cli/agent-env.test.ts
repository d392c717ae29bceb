/**
 * `hermes publish` and `hermes ask` outside a proper job environment: one stderr line that names
 * the variable to fix, a non-zero exit, and nothing sent (no broker is running here).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnHermes, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => void;
let env: Record<string, string>;
beforeEach(() => {
  ({ home, cleanup } = tempHome('hermes-agent-env-'));
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, 'a-job-token-0123456789abcdef\n', { mode: 0o600 });
  env = {
    HERMES_HOME: join(home, 'agent'),
    HERMES_JOB_ID: 'j-env',
    // Nothing listens here: a command that got past its checks would fail differently (and later).
    HERMES_MQTT_URL: 'mqtt://127.0.0.1:9',
    HERMES_TOKEN_FILE: tokenFile,
  };
});
afterEach(() => cleanup());

const without = (name: string) => {
  const { [name]: _gone, ...rest } = env;
  return rest;
};

const COMMANDS: Array<[string, string[]]> = [
  ['publish', ['publish', '--event', 'progress', '--deadline', '1']],
  ['ask', ['ask', '--tool', 'Bash', '--timeout', '1']],
];

const CASES: Array<[string, () => Record<string, string>, RegExp]> = [
  ['HERMES_TOKEN_FILE unset', () => without('HERMES_TOKEN_FILE'), /HERMES_TOKEN_FILE is not set/],
  [
    'HERMES_TOKEN_FILE names a missing file',
    () => ({ ...env, HERMES_TOKEN_FILE: join(home, 'no-such-token') }),
    /cannot read HERMES_TOKEN_FILE file .*no-such-token: ENOENT/,
  ],
  [
    'HERMES_TOKEN_FILE names something unreadable (a directory)',
    () => {
      mkdirSync(join(home, 'token-dir'));
      return { ...env, HERMES_TOKEN_FILE: join(home, 'token-dir') };
    },
    /cannot read HERMES_TOKEN_FILE file .*token-dir: EISDIR/,
  ],
  [
    'HERMES_TOKEN_FILE is empty',
    () => {
      writeFileSync(join(home, 'empty'), '', { mode: 0o600 });
      return { ...env, HERMES_TOKEN_FILE: join(home, 'empty') };
    },
    /HERMES_TOKEN_FILE file .*empty is empty/,
  ],
  [
    'HERMES_MQTT_URL unset (and no runner socket)',
    () => without('HERMES_MQTT_URL'),
    /HERMES_MQTT_URL is not set/,
  ],
  ['HERMES_HOME unset', () => without('HERMES_HOME'), /HERMES_HOME is not set/],
  ['HERMES_JOB_ID unset', () => without('HERMES_JOB_ID'), /HERMES_JOB_ID is not set/],
];

describe.each(COMMANDS)('hermes %s', (_name, args) => {
  it.each(CASES)('%s: one line naming it, exit 1', async (_case, makeEnv, message) => {
    const r = await spawnHermes(args, { env: makeEnv() });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hermes: /);
    expect(lines[0]).toMatch(message);
  });
});
