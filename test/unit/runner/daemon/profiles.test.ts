import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinProfiles } from '../../../../runner/profiles/builtin-profiles.js';
import { expandArgv } from '../../../../runner/profiles/expand-argv.js';
import { ProfileSet } from '../../../../runner/profiles/profile-set.js';
import { loadConfig } from '../../../../src/config/load.js';
import { ProfileConfig } from '../../../../src/config/schema.js';

const builtins = builtinProfiles({
  nodePath: '/usr/bin/node',
  demoAgentPath: '/x/demo-agent.js',
  demoStepMs: 5,
});
const profile = (p: unknown) => ProfileConfig.parse(p);

describe('expandArgv', () => {
  it('puts the prompt into its argument whole, whatever it contains', () => {
    const prompt = `a "b" $(rm -rf /) ; c $& $1 {prompt}\nnext`;
    expect(expandArgv('p', ['agent', '--message={prompt}', '{prompt}'], prompt)).toEqual([
      'agent',
      `--message=${prompt}`,
      prompt,
    ]);
  });

  it('never lets the prompt choose the program', () => {
    expect(expandArgv('p', ['{prompt}', 'x'], 'evil')).toEqual(['{prompt}', 'x']);
  });

  it('refuses a prompt that would read as an option, unless -- comes first', () => {
    expect(() =>
      expandArgv('claude', ['claude', '-p', '{prompt}'], '--dangerously-skip-permissions'),
    ).toThrow(/profile claude passes the prompt where its program reads options/);
    expect(expandArgv('claude', ['claude', '-p', '--', '{prompt}'], '--flag')).toEqual([
      'claude',
      '-p',
      '--',
      '--flag',
    ]);
    expect(expandArgv('p', ['agent', '--message={prompt}'], '-x')).toEqual(['agent', '--message=-x']);
  });
});

describe('ProfileSet', () => {
  it('has the built-ins with no config at all, demo running the bundled agent', () => {
    const set = new ProfileSet(
      builtins,
      loadConfig({ env: { HERMES_HOME: '/nonexistent-home' } }).runner.profiles,
    );
    expect(set.names()).toEqual(['claude', 'codex', 'demo', 'shell-script']);
    expect(set.get('demo')).toMatchObject({
      argv: ['/usr/bin/node', '/x/demo-agent.js', '--', '{prompt}'],
      env: { HERMES_DEMO_STEP_MS: '5' },
      builtin: true,
    });
    expect(set.get('claude')?.hooks).toBe('claude');
  });

  it('lets config add profiles and replace built-ins', () => {
    const set = new ProfileSet(builtins, {
      demo: profile({ argv: ['my-demo'] }),
      review: profile({ argv: ['reviewer', '--', '{prompt}'], env: { MODE: 'strict' } }),
    });
    expect(set.get('demo')).toMatchObject({ argv: ['my-demo'], builtin: false });
    expect(set.get('review')?.env).toEqual({ MODE: 'strict' });
    expect(set.get('nope')).toBeUndefined();
  });

  it('names the config key of what zod cannot check', () => {
    expect(() => new ProfileSet(builtins, { x: profile({ argv: ['{prompt}'] }) })).toThrow(
      /runner\.profiles\.x\.argv\[0\]: must name a program/,
    );
    expect(() => new ProfileSet(builtins, { x: profile({ argv: ['a'], env: { 'BAD-NAME': '1' } }) })).toThrow(
      /runner\.profiles\.x\.env\.BAD-NAME: not a valid variable name/,
    );
    expect(
      () => new ProfileSet(builtins, { x: profile({ argv: ['a'], env: { HERMES_TOKEN_FILE: '/t' } }) }),
    ).toThrow(/runner\.profiles\.x\.env\.HERMES_TOKEN_FILE: set by the runner/);
  });

  it('a bad config file names the key (zod, through loadConfig)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hermes-profiles-'));
    try {
      const file = join(dir, 'config.yaml');
      writeFileSync(file, 'runner:\n  profiles:\n    review:\n      argv: []\n      hooks: cursor\n');
      expect(() => loadConfig({ env: { HERMES_HOME: dir }, file })).toThrow(
        /runner\.profiles\.review\.argv: must name the program to run; runner\.profiles\.review\.hooks: /,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
