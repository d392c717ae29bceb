/**
 * The built-in codex profile asks the installed codex whether it has `codex exec resume`: the
 * Codex stand-in on a PATH of its own, once with the subcommand and once without (older Codex).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runnerProfiles } from '../../../runner/daemon/runner-setup.js';
import { detectCodexResume, spawnProgram } from '../../../runner/profiles/codex-resume.js';
import { loadConfig } from '../../../src/config/load.js';
import { codexOnPath } from '../../helpers/fake-codex.js';

const INSTALL = {
  root: '/x',
  hermesBin: '/x/bin/hermes.js',
  hookEntry: '/x/dist/agent/hook.cjs',
  demoAgent: '/x/demo.js',
  node: '/usr/bin/node',
};

let codex: ReturnType<typeof codexOnPath>;
beforeEach(() => {
  codex = codexOnPath();
});
afterEach(() => codex.cleanup());

describe('codex exec resume detection', () => {
  it('a codex whose exec help lists resume: follow-ups resume its session, JSON output read', () => {
    const run = spawnProgram({ PATH: codex.bin });
    expect(detectCodexResume(run)).toEqual({ supported: true, version: 'codex-cli 0.46.0' });
    const config = loadConfig({ env: { HERMES_HOME: '/nonexistent-home' } });
    expect(runnerProfiles(config, INSTALL, run).get('codex')).toMatchObject({
      argv: ['codex', 'exec', '--json', '--', '{prompt}'],
      output: 'codex',
      followup: 'resume',
      resume_argv: ['codex', 'exec', '--json', 'resume', '--', '{session_id}', '{prompt}'],
      hooks: 'codex',
      builtin: true,
    });
  });

  it('an older codex without it: no follow-ups, and the reason names its version', () => {
    const run = spawnProgram({
      PATH: codex.bin,
      FAKE_CODEX_RESUME: '0',
      FAKE_CODEX_VERSION: 'codex-cli 0.36.0',
    });
    const reason = 'this Codex (codex-cli 0.36.0) has no `codex exec resume`';
    expect(detectCodexResume(run)).toEqual({ supported: false, reason });
    const config = loadConfig({ env: { HERMES_HOME: '/nonexistent-home' } });
    const p = runnerProfiles(config, INSTALL, run).get('codex')!;
    expect(p).toMatchObject({
      argv: ['codex', 'exec', '--', '{prompt}'],
      output: 'text',
      followup: 'none',
      followup_reason: reason,
    });
    expect(p.resume_argv).toBeUndefined();
    expect(p.description).toContain(`no follow-ups: ${reason}`);
  });

  it('no codex on PATH, or a help that fails: no follow-ups, and why', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-codex-'));
    try {
      expect(detectCodexResume(spawnProgram({ PATH: empty }))).toEqual({
        supported: false,
        reason: 'codex is not installed on this runner (not on its PATH)',
      });
      writeFileSync(join(empty, 'codex'), '#!/bin/sh\necho broken >&2\nexit 3\n');
      chmodSync(join(empty, 'codex'), 0o755);
      expect(detectCodexResume(spawnProgram({ PATH: empty }))).toEqual({
        supported: false,
        reason: '`codex exec --help` failed (exit status 3), so resume support is unknown',
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a config that replaces the codex profile is not second-guessed (codex is not even run)', () => {
    const file = join(codex.bin, '..', 'config.yaml');
    writeFileSync(file, 'runner:\n  profiles:\n    codex:\n      argv: [codex]\n      followup: keys\n');
    const config = loadConfig({ env: { HERMES_HOME: '/nonexistent-home' }, file });
    let ran = 0;
    const p = runnerProfiles(config, INSTALL, () => {
      ran++;
      return { status: 0, stdout: '', stderr: '' };
    }).get('codex');
    expect(ran).toBe(0);
    expect(p).toMatchObject({ argv: ['codex'], followup: 'keys', builtin: false });
  });

  it('without a check (one-off commands) the profile says resume support was not checked', () => {
    const config = loadConfig({ env: { HERMES_HOME: '/nonexistent-home' } });
    expect(runnerProfiles(config, INSTALL).get('codex')).toMatchObject({
      followup: 'none',
      followup_reason: 'whether this Codex has `codex exec resume` was not checked',
    });
  });
});
