import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  claudeSettingsPath,
  decisionDeadlineSeconds,
  HERMES_HOOK_MARKER,
  installClaudeHooks,
  shellCommand,
  uninstallClaudeHooks,
} from '../../../runner/hooks/install-claude.js';
import { tempHome } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ home: dir, cleanup } = tempHome('hermes-install-')));
afterEach(() => cleanup());

const read = () => JSON.parse(readFileSync(claudeSettingsPath(dir), 'utf8'));
const COMMAND = shellCommand(['/usr/bin/node', '/opt/hermes app/bin/hermes.js', 'hook', 'claude']);

const USER_SETTINGS = {
  permissions: { allow: ['Bash(npm test:*)'], deny: ['Read(.env)'] },
  env: { FOO: 'bar' },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './lint-guard.sh', timeout: 5 }] }],
    UserPromptSubmit: [{ hooks: [{ type: 'command', command: 'echo hi' }] }],
  },
};

describe('installClaudeHooks', () => {
  it('creates .claude/settings.local.json with every hook, the deadline below the timeout', () => {
    const file = installClaudeHooks(dir, { command: COMMAND, timeoutSeconds: 600 });
    expect(file).toBe(join(dir, '.claude', 'settings.local.json'));
    const s = read();
    expect(Object.keys(s.hooks).sort()).toEqual([
      'Notification',
      'PostToolUse',
      'PreToolUse',
      'SessionStart',
      'Stop',
    ]);
    expect(s.hooks.PreToolUse).toEqual([
      {
        matcher: '*',
        hooks: [
          {
            type: 'command',
            command: `/usr/bin/node '/opt/hermes app/bin/hermes.js' hook claude --deadline 570 --progress-deadline 10 || exit 2 ${HERMES_HOOK_MARKER}`,
            timeout: 600,
          },
        ],
      },
    ]);
    expect(s.hooks.Stop[0].hooks[0].timeout).toBe(30);
    // exit 2 blocks a tool call; from a Stop hook it would keep Claude from stopping.
    expect(s.hooks.Stop[0].hooks[0].command).not.toContain('exit 2');
    expect(s.hooks.PostToolUse[0].hooks[0].command).not.toContain('exit 2');
    expect(s.hooks.Stop[0].matcher).toBeUndefined();
    // Nothing of the user's was there: uninstalling leaves no trace.
    uninstallClaudeHooks(dir);
    expect(existsSync(join(dir, '.claude'))).toBe(false);
  });

  it('merges into the user file, keeps everything else, is idempotent, and uninstalls cleanly', () => {
    mkdirSync(join(dir, '.claude'));
    const original = `${JSON.stringify(USER_SETTINGS, null, 2)}\n`;
    writeFileSync(claudeSettingsPath(dir), original, { mode: 0o640 });
    installClaudeHooks(dir, { command: COMMAND });
    const once = readFileSync(claudeSettingsPath(dir), 'utf8');
    const s = JSON.parse(once);
    expect(s.permissions).toEqual(USER_SETTINGS.permissions);
    expect(s.env).toEqual(USER_SETTINGS.env);
    expect(s.hooks.UserPromptSubmit).toEqual(USER_SETTINGS.hooks.UserPromptSubmit);
    expect(s.hooks.PreToolUse[0]).toEqual(USER_SETTINGS.hooks.PreToolUse[0]);
    expect(s.hooks.PreToolUse).toHaveLength(2);
    installClaudeHooks(dir, { command: COMMAND });
    expect(readFileSync(claudeSettingsPath(dir), 'utf8')).toBe(once);
    // A reinstall with other settings replaces Hermes' entries rather than adding more.
    installClaudeHooks(dir, { command: COMMAND, timeoutSeconds: 120 });
    expect(read().hooks.PreToolUse).toHaveLength(2);
    expect(read().hooks.PreToolUse[1].hooks[0].command).toContain('--deadline 114');
    uninstallClaudeHooks(dir);
    expect(read()).toEqual(USER_SETTINGS);
    expect(readdirSync(join(dir, '.claude'))).toEqual(['settings.local.json']);
  });

  it('refuses to touch a file it cannot understand', () => {
    mkdirSync(join(dir, '.claude'));
    for (const text of ['{ not json', '[1]', '{"hooks": []}', '{"hooks": {"Stop": {}}}']) {
      writeFileSync(claudeSettingsPath(dir), text);
      expect(() => installClaudeHooks(dir, { command: COMMAND })).toThrow(/not touching it/);
      expect(readFileSync(claudeSettingsPath(dir), 'utf8')).toBe(text);
    }
  });

  it('validates its options', () => {
    expect(() => installClaudeHooks(dir, { command: COMMAND, timeoutSeconds: 2 })).toThrow(/at least 5/);
    expect(() => installClaudeHooks(dir, { command: 'a\nb' })).toThrow(/one non-empty line/);
    expect(existsSync(claudeSettingsPath(dir))).toBe(false);
    uninstallClaudeHooks(dir);
    expect(existsSync(claudeSettingsPath(dir))).toBe(false);
  });

  it('keeps the decision deadline below the timeout at every size', () => {
    for (const t of [5, 10, 60, 120, 600, 3600]) {
      const d = decisionDeadlineSeconds(t);
      expect(d, String(t)).toBeLessThan(t);
      expect(t - d, String(t)).toBeGreaterThanOrEqual(2);
      expect(t - d, String(t)).toBeLessThanOrEqual(30);
    }
    expect(decisionDeadlineSeconds(600)).toBe(570);
    expect(shellCommand(["it's"])).toBe(`'it'\\''s'`);
  });

  it('the installed PreToolUse command blocks (exit 2) when the hook cannot even start', () => {
    // What Claude Code does with a hook command: run it through a shell.
    installClaudeHooks(dir, { command: `'${join(dir, 'node-gone-after-an-upgrade')}' hook claude` });
    const gate = read().hooks.PreToolUse[0].hooks[0].command as string;
    const r = spawnSync('/bin/sh', ['-c', gate], { input: '{}', encoding: 'utf8' });
    expect(r.status).toBe(2);
    const progress = read().hooks.PostToolUse[0].hooks[0].command as string;
    expect(spawnSync('/bin/sh', ['-c', progress], { input: '{}' }).status).toBe(127);
  });
});
