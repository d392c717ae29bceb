import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHermes, tempHome } from '../../helpers/cli.js';

describe('hermes schedules', () => {
  let home: ReturnType<typeof tempHome>;
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(() => home.cleanup());
  const hermes = (...args: string[]) => runHermes(args, { env: { HERMES_HOME: home.home, USER: 'ann' } });

  it('add, list, pause, resume, remove (and --json)', async () => {
    const added = await hermes(
      'schedules',
      'add',
      '--cron',
      '0 3 * * 1',
      '--profile',
      'claude',
      '--repo',
      'app',
      '--prompt',
      'hunt flaky tests',
      '--overlap',
      'queue',
      '--json',
    );
    expect(added.code).toBe(0);
    const s = JSON.parse(added.stdout);
    expect(s).toMatchObject({
      cron: '0 3 * * 1',
      profile: 'claude',
      runner: 'local',
      repo: 'app',
      owner: 'cli:ann',
      overlap: 'queue',
      paused: false,
    });
    expect((await hermes('schedules', 'pause', s.id)).stdout).toContain('PAUSED');
    expect(JSON.parse((await hermes('schedules', 'resume', s.id, '--json')).stdout).paused).toBe(false);
    expect(JSON.parse((await hermes('schedules', 'list', '--json')).stdout)).toHaveLength(1);
    expect((await hermes('schedules', 'remove', s.id)).stdout).toContain(`removed ${s.id}`);
    expect((await hermes('schedules', 'list')).stdout).toContain('no schedules');
  });

  it('a bad cron expression or overlap is a usage error naming the option; an unknown id fails', async () => {
    const bad = await hermes(
      'schedules',
      'add',
      '--cron',
      'every night',
      '--profile',
      'demo',
      '--prompt',
      'x',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cron is not a valid cron expression');
    const overlap = await hermes(
      'schedules',
      'add',
      '--cron',
      '* * * * *',
      '--profile',
      'demo',
      '--prompt',
      'x',
      '--overlap',
      'maybe',
    );
    expect(overlap.stderr).toContain('--overlap');
    const gone = await hermes('schedules', 'remove', 's-nope');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('no schedule s-nope');
  });
});
