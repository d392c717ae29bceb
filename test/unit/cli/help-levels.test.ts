/**
 * Help at every level and "did you mean" for typos, through the real launcher (bin/hermes.js) as a
 * person types them; the grouping of `hermes --help` and option typos in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { GROUPS } from '../../../src/cli/help.js';
import { runHermes, spawnHermes, tempHome } from '../../helpers/cli.js';

let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome());
});
afterAll(() => cleanup());
const bin = (args: string[]) => spawnHermes(args, { env: { HERMES_HOME: home } });
const cli = (args: string[]) => runHermes(args, { env: { HERMES_HOME: home } });

describe('help at every level', () => {
  it('hermes jobs --help prints the jobs group and exits 0; hermes jobs alone exits 2', async () => {
    const r = await bin(['jobs', '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const c of COMMANDS.filter((x) => x.words[0] === 'jobs'))
      expect(r.stdout).toContain(`  ${c.words.join(' ')} `);
    expect(r.stdout).not.toContain('schedules add');
    const alone = await cli(['jobs']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('jobs register');
    for (const group of ['schedules', 'sessions', 'hook', 'event']) {
      expect((await cli([group, '-h'])).code, group).toBe(0);
    }
  });

  it('a command that has longer ones under it names them in its help (runner -> runner init)', async () => {
    const r = await cli(['runner', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: hermes runner [--id R]');
    expect(r.stdout).toContain('also:\n  hermes runner init --id R');
  });

  it('hermes --help groups every command once, under a title', async () => {
    const named = GROUPS.flatMap((g) => g.commands);
    expect([...named].sort()).toEqual(COMMANDS.map((c) => c.words.join(' ')).sort());
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    for (const g of GROUPS) expect(r.stdout).toContain(`\n${g.title}:\n`);
    expect(r.stdout.indexOf('Approvals:')).toBeLessThan(r.stdout.indexOf('  jobs decide'));
  });
});

describe('did you mean', () => {
  it('hermes jobs lst: the subcommand meant, with its usage line, exit 2, through the binary', async () => {
    const r = await bin(['jobs', 'lst']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'hermes: unknown command "jobs lst"; did you mean "jobs list"?\n  hermes jobs list [--status S] [--runner R] [--json]\n',
    );
  });

  it('top-level typos name the command meant; a group typo lists its commands', async () => {
    expect((await cli(['wacth', 'j-1'])).stderr).toBe(
      'hermes: unknown command "wacth"; did you mean "watch"?\n  hermes watch ID... [--json] [--since-start] [--no-history] [--timeout SECONDS] [--mqtt URL]\n',
    );
    expect((await cli(['jbos', 'lst'])).stderr).toBe(
      'hermes: unknown command "jbos lst"; did you mean "jobs list"?\n  hermes jobs list [--status S] [--runner R] [--json]\n',
    );
    const group = await cli(['jbos']);
    expect(group.stderr).toMatch(
      /^hermes: unknown command "jbos"; did you mean "jobs"\?\n {2}hermes jobs register --profile P\n/,
    );
    const none = await cli(['frobnicate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('hermes: unknown command "frobnicate"; `hermes --help` lists the commands\n');
    const far = await cli(['jobs', 'frobnicate']);
    expect(far.stderr).toMatch(/^hermes: unknown command "jobs frobnicate"\n\nhermes jobs: \d+ commands/);
  });

  it('option typos: the option meant and the options there are; a missing value is said plainly', async () => {
    const r = await cli(['jobs', 'list', '--jsn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'hermes: jobs list: no option --jsn; did you mean --json? (options: --status, --runner, --json) (see hermes jobs list --help)\n',
    );
    expect((await cli(['jobs', 'list', '--status'])).stderr).toBe(
      'hermes: jobs list: --status needs a value (see hermes jobs list --help)\n',
    );
  });
});
