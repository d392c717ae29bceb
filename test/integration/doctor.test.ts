import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSessionStore } from '../../runner/session-store.js';
import { silentLogger } from '../../src/log.js';
import { journalModeOf, openDatabase } from '../../src/store/sqlite.js';
import { startTestBroker, type TestBroker } from '../helpers/brokers.js';
import { runHermes, tempHome } from '../helpers/cli.js';

let broker: TestBroker;
beforeAll(async () => {
  broker = await startTestBroker('embedded');
});
afterAll(async () => {
  await broker.stop();
});

type Check = { name: string; status: string; detail: string; fix?: string };

type EnvFor = Record<string, string> | ((home: string) => Record<string, string>);

/** `hermes doctor --json` on a fresh home, prepared by `setup` first; `env` may depend on the home. */
async function doctor(
  env: EnvFor,
  setup?: (home: string) => void | Promise<void>,
  after?: (home: string) => void,
) {
  const t = tempHome();
  try {
    await setup?.(t.home);
    const extra = typeof env === 'function' ? env(t.home) : env;
    const r = await runHermes(['doctor', '--json'], { env: { HERMES_HOME: t.home, ...extra } });
    after?.(t.home);
    const checks = JSON.parse(r.stdout) as Check[];
    const check = (name: string) => checks.find((c) => c.name === name);
    return { code: r.code, checks, check };
  } finally {
    t.cleanup();
  }
}

/** A folder holding only a fake `tmux` that prints `version` for `tmux -V`. */
function fakeTmux(home: string, version: string): string {
  const dir = join(home, 'fake-bin');
  mkdirSync(dir);
  writeFileSync(join(dir, 'tmux'), `#!/bin/sh\necho '${version}'\n`);
  chmodSync(join(dir, 'tmux'), 0o755);
  return dir;
}

describe('hermes doctor', () => {
  it('passes on a reachable broker with no chat configured', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url });
    expect(r.code).toBe(0);
    expect(r.checks.find((c) => c.name === 'broker')?.status).toBe('ok');
    expect(r.checks.find((c) => c.name === 'chat')?.status).toBe('skip');
  });

  it('fails on an unreachable broker and says what to do', async () => {
    const r = await doctor({ HERMES_MQTT_URL: 'mqtt://127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.checks.find((c) => c.name === 'broker')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('HERMES_MQTT_URL'),
    });
  });

  it('fails closed on a Slack token with nobody allowed', async () => {
    const r = await doctor({
      HERMES_MQTT_URL: broker.url,
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_APP_TOKEN: 'xapp-1',
    });
    expect(r.code).toBe(1);
    expect(r.checks.find((c) => c.name === 'slack')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('nobody may register'),
    });
  });

  it('names a bad config key', async () => {
    const t = tempHome();
    writeFileSync(join(t.home, 'config.yaml'), 'relay:\n  replay_window: -5\n');
    const r = await runHermes(['doctor', '--json'], { env: { HERMES_HOME: t.home } });
    t.cleanup();
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({
      name: 'config',
      status: 'fail',
      detail: expect.stringContaining('relay.replay_window'),
    });
  });
});

describe('hermes doctor: tmux', () => {
  const withTmux = (version: string) =>
    doctor(
      (home) => ({ HERMES_MQTT_URL: broker.url, PATH: join(home, 'fake-bin') }),
      (home) => {
        fakeTmux(home, version);
      },
    );

  it('accepts tmux 3.2 or newer, naming the version', async () => {
    const r = await withTmux('tmux 3.4');
    expect(r.check('tmux')).toMatchObject({ status: 'ok', detail: 'tmux 3.4' });
    expect(r.code).toBe(0);
  });

  it('fails on a tmux older than 3.2', async () => {
    const r = await withTmux('tmux 3.1c');
    expect(r.check('tmux')).toMatchObject({ status: 'fail', detail: 'tmux 3.1c is too old' });
    expect(r.check('tmux')?.fix).toMatch(/tmux 3\.2 or newer/);
    expect(r.code).toBe(1);
  });

  it('warns when tmux is not installed', async () => {
    const r = await doctor((home) => ({ HERMES_MQTT_URL: broker.url, PATH: join(home, 'empty') }));
    expect(r.check('tmux')).toMatchObject({ status: 'warn', detail: 'tmux is not installed' });
    expect(r.code).toBe(0);
  });
});

describe('hermes doctor: SQLite journal mode', () => {
  const createRunnerDbs = (journal: 'wal' | 'delete') => (home: string) => {
    openSessionStore({ home, log: silentLogger, journal }).close();
    openDatabase(join(home, 'outbox.db'), { log: silentLogger, journal }).close();
  };

  it('says no database exists yet, and which mode it will use', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url, HERMES_SQLITE_JOURNAL: 'delete' });
    expect(r.check('sqlite')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^no database yet; it will use journal_mode=DELETE/),
    });
  });

  it('reports runner.db and outbox.db on a runner host', async () => {
    const r = await doctor(
      { HERMES_MQTT_URL: broker.url, HERMES_SQLITE_JOURNAL: 'wal' },
      createRunnerDbs('wal'),
    );
    expect(r.check('sqlite')).toMatchObject({
      status: 'ok',
      detail: 'runner.db: journal_mode=WAL; outbox.db: journal_mode=WAL, integrity ok',
    });
  });

  it('warns when a database is not in the mode this host’s setting gives, and changes nothing', async () => {
    const modes: string[] = [];
    const r = await doctor(
      { HERMES_MQTT_URL: broker.url, HERMES_SQLITE_JOURNAL: 'delete' },
      createRunnerDbs('wal'),
      (home) => {
        for (const f of ['runner.db', 'outbox.db']) {
          const db = openDatabase(join(home, f), { log: silentLogger, readonly: true });
          modes.push(journalModeOf(db));
          db.close();
        }
      },
    );
    expect(r.check('sqlite')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('runner.db: journal_mode=WAL (expected DELETE)'),
      fix: expect.stringContaining('HERMES_SQLITE_JOURNAL'),
    });
    expect(r.check('sqlite')?.detail).toContain('outbox.db: journal_mode=WAL (expected DELETE)');
    expect(modes).toEqual(['wal', 'wal']);
  });

  it('fails on a file that is not a database', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url }, (home) => {
      writeFileSync(join(home, 'runner.db'), 'not a database, just text that is long enough to matter\n');
    });
    expect(r.check('sqlite')).toMatchObject({ status: 'fail', detail: expect.stringContaining('runner.db') });
    expect(r.code).toBe(1);
  });
});

describe('hermes doctor: runner identity', () => {
  it('reports the runner id on a runner-only host', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url }, async (home) => {
      const init = await runHermes(['runner', 'init', '--id', 'build-07'], { env: { HERMES_HOME: home } });
      expect(init.code).toBe(0);
    });
    expect(r.check('runners')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^this host is runner build-07 \(.*runner-identity\.json\)/),
    });
  });

  it('says to run `hermes runner init` where there is neither a bot nor a runner identity', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url });
    expect(r.check('runners')).toMatchObject({
      status: 'skip',
      detail: expect.stringContaining('hermes runner init --id R'),
    });
  });

  it('fails when runner.db is here but the identity is not', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url }, (home) => {
      openSessionStore({ home, log: silentLogger }).close();
    });
    expect(r.check('runners')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining('hermes runner init --id R'),
    });
  });

  it('fails on an unusable identity file, saying how to recreate it', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url }, (home) => {
      writeFileSync(join(home, 'runner-identity.json'), '{"version": 1}', { mode: 0o600 });
    });
    expect(r.check('runners')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('runner-identity.json'),
      fix: expect.stringContaining('hermes runner init --id R --force'),
    });
  });

  it('warns when the identity (which holds the key) is readable by others', async () => {
    const r = await doctor({ HERMES_MQTT_URL: broker.url }, async (home) => {
      await runHermes(['runner', 'init', '--id', 'build-08'], { env: { HERMES_HOME: home } });
      chmodSync(join(home, 'runner-identity.json'), 0o644);
    });
    expect(r.check('runners')).toMatchObject({ status: 'warn', fix: expect.stringContaining('chmod 600') });
  });
});
