/**
 * deploy/systemd: the example environment files name only variables Hermes reads and hold no
 * secrets, and the runner unit is a template whose instance is the runner id.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_KEYS } from '../../../src/config/load.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'deploy', 'systemd');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

/** Variables read outside the config table: home, config file, chat secrets (adapters/). */
const OTHER_VARS = new Set([
  'HERMES_HOME',
  'HERMES_CONFIG',
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'DISCORD_TOKEN',
]);
const SECRETS = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'DISCORD_TOKEN'];

/** `KEY=value` lines, set (`#` not in front) or shown commented out (`#KEY=value`). */
function entries(text: string) {
  return text
    .split('\n')
    .map((line) => line.match(/^(#?)([A-Z][A-Z0-9_]*)=(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ active: m[1] === '', key: m[2]!, value: m[3]! }));
}

describe.each(['bot.env.example', 'runner.env.example'])('deploy/systemd/%s', (file) => {
  const list = entries(read(file));

  it('names only variables Hermes reads', () => {
    expect(list.length).toBeGreaterThan(5);
    const unknown = list.map((e) => e.key).filter((k) => !(k in ENV_KEYS) && !OTHER_VARS.has(k));
    expect(unknown).toEqual([]);
  });

  it('sets no secret, and no value with a trailing comment (systemd would keep it in the value)', () => {
    expect(list.filter((e) => e.active && SECRETS.includes(e.key))).toEqual([]);
    expect(list.filter((e) => e.active && /\s#/.test(e.value))).toEqual([]);
  });

  it('names files by absolute path', () => {
    const files = list.filter((e) => e.key.endsWith('_FILE') || e.key === 'HERMES_CONFIG');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(f.value, f.key).toMatch(/^\//);
  });
});

describe('deploy/systemd units', () => {
  it('the runner is a template: instance = runner id, no id written into the unit', () => {
    const unit = read('hermes-runner@.service');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/env hermes runner --id %i$/m);
    expect(unit).toMatch(/^Environment=HERMES_MQTT_USERNAME=%i$/m);
    expect(unit).toMatch(/^EnvironmentFile=\/etc\/hermes\/runner\.env$/m);
    expect(unit).toMatch(/^EnvironmentFile=-\/etc\/hermes\/runner-%i\.env$/m);
    // %I unescapes "-" to "/": build-01 would become build/01.
    expect(unit.split('\n').filter((l) => !l.startsWith('#') && l.includes('%I'))).toEqual([]);
    expect(unit).toMatch(/^KillMode=process$/m);
    expect(unit.split('\n').filter((l) => !l.startsWith('#') && l.includes('build-01'))).toEqual([]);
  });

  it('the runner env file leaves chat settings to the bot', () => {
    expect(entries(read('runner.env.example')).filter((e) => /SLACK|DISCORD/.test(e.key))).toEqual([]);
  });

  it('the bot hides /home and says where Hermes must be installed instead', () => {
    const unit = read('hermes-bot.service');
    expect(unit).toMatch(/^ProtectHome=true$/m);
    expect(unit).toMatch(/^# ProtectHome=true below makes \/home/m);
    expect(unit).toMatch(/must live outside them \(\/opt, \/usr, \/etc, \/var\/lib\/hermes\)/);
  });
});
