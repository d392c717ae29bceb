/**
 * `hermes --help` promises that `hermes <command> --help` shows each command's options. Run through
 * the real launcher (bin/hermes.js), whose fast paths for agent commands skip the CLI table.
 */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { spawnHermes, tempHome } from '../../helpers/cli.js';

describe('hermes <command> --help', () => {
  it.each(COMMANDS.map((c) => [c.words.join(' '), c] as const))(
    '%s --help exits 0 with its usage',
    async (_name, c) => {
      const { home, cleanup } = tempHome();
      try {
        // No agent environment at all: help must not need one.
        const r = await spawnHermes([...c.words, '--help'], { env: { HERMES_HOME: home } });
        expect(r.stderr).toBe('');
        // ask's exit 0 means "approved", so its help exits 2.
        expect(r.code).toBe(c.words.join(' ') === 'ask' ? 2 : 0);
        expect(r.stdout).toContain(`usage: ${c.usage}`);
      } finally {
        cleanup();
      }
    },
  );

  it('usage strings name the flags the commands take', () => {
    const usage = (words: string) => COMMANDS.find((c) => c.words.join(' ') === words)!.usage;
    for (const flag of ['--auth-token-file', '--owner', '--cwd'])
      expect(usage('jobs register')).toContain(flag);
    expect(usage('jobs list')).toContain('--runner');
    expect(usage('ask')).toContain('--deadline');
    for (const c of ['publish', 'ask', 'run']) expect(usage(c)).toContain('--mqtt URL');
  });

  it.each([
    ['ask', '--tool', 'Bash', '--input', '{"command":"rm -rf /"}', '--reason', '-h'],
    ['ask', '--tool', '--help'],
    ['ask', '--reason', '--help', '--tool', 'Bash'],
    ['publish', '--event', 'progress', '--detail', '-h'],
    ['jobs', 'decide', 'j-x', 'r-x', 'approve', '--reason', '--help'],
  ])('%s … with -h / --help as an option value is not help and does not succeed', async (...args) => {
    const { home, cleanup } = tempHome();
    try {
      const r = await spawnHermes(args, { env: { HERMES_HOME: home } });
      expect(r.stdout).not.toContain('usage:');
      expect(r.code).not.toBe(0);
    } finally {
      cleanup();
    }
  });
});
