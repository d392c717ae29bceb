/**
 * installCodexHooks / uninstallCodexHooks: `<cwd>/.codex/hooks.json` created or merged into the
 * user's, Hermes' entries marked and replaced on reinstall, exactly they removed at cleanup.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HERMES_HOOK_MARKER, shellCommand } from '../../../runner/hooks/install-claude.js';
import {
  codexHooksPath,
  installCodexHooks,
  uninstallCodexHooks,
} from '../../../runner/hooks/install-codex.js';
import { defaultHookInstallers } from '../../../runner/profiles/hook-installers.js';
import { tempHome } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ home: dir, cleanup } = tempHome('hermes-install-codex-')));
afterEach(() => cleanup());

const read = () => JSON.parse(readFileSync(codexHooksPath(dir), 'utf8'));
const COMMAND = shellCommand(['/usr/bin/node', '/opt/hermes app/bin/hermes.js', 'hook', 'codex']);
const GATE = {
  type: 'command',
  command: `/usr/bin/node '/opt/hermes app/bin/hermes.js' hook codex --deadline 570 || exit 2 ${HERMES_HOOK_MARKER}`,
  timeout: 600,
};

const USER_HOOKS = {
  hooks: {
    PreToolUse: [{ matcher: '^Bash$', hooks: [{ type: 'command', command: './guard.sh', timeout: 5 }] }],
    Stop: [{ hooks: [{ type: 'command', command: 'echo done' }] }],
  },
};

describe('installCodexHooks', () => {
  it('creates .codex/hooks.json with PermissionRequest and PreToolUse for every tool', () => {
    const file = installCodexHooks(dir, { command: COMMAND });
    expect(file).toBe(join(dir, '.codex', 'hooks.json'));
    expect(read()).toEqual({
      hooks: { PermissionRequest: [{ hooks: [GATE] }], PreToolUse: [{ hooks: [GATE] }] },
    });
    uninstallCodexHooks(dir);
    expect(existsSync(join(dir, '.codex'))).toBe(false);
  });

  it('merges into the user file, is idempotent, and removes exactly its own entries', () => {
    mkdirSync(join(dir, '.codex'));
    writeFileSync(join(dir, '.codex', 'config.toml'), '[features]\ncodex_hooks = true\n');
    writeFileSync(codexHooksPath(dir), `${JSON.stringify(USER_HOOKS, null, 2)}\n`, { mode: 0o640 });
    installCodexHooks(dir, { command: COMMAND });
    const once = readFileSync(codexHooksPath(dir), 'utf8');
    const s = JSON.parse(once);
    expect(s.hooks.Stop).toEqual(USER_HOOKS.hooks.Stop);
    expect(s.hooks.PreToolUse).toEqual([USER_HOOKS.hooks.PreToolUse[0], { hooks: [GATE] }]);
    installCodexHooks(dir, { command: COMMAND });
    expect(readFileSync(codexHooksPath(dir), 'utf8')).toBe(once);
    installCodexHooks(dir, { command: COMMAND, timeoutSeconds: 120 });
    expect(read().hooks.PermissionRequest).toEqual([
      { hooks: [{ ...GATE, command: GATE.command.replace('570', '114'), timeout: 120 }] },
    ]);
    uninstallCodexHooks(dir);
    expect(read()).toEqual(USER_HOOKS);
    expect(readdirSync(join(dir, '.codex')).sort()).toEqual(['config.toml', 'hooks.json']);
  });

  it('refuses to touch a file it cannot understand, and validates its options', () => {
    mkdirSync(join(dir, '.codex'));
    writeFileSync(codexHooksPath(dir), '{"hooks": []}');
    expect(() => installCodexHooks(dir, { command: COMMAND })).toThrow(/not touching it/);
    expect(readFileSync(codexHooksPath(dir), 'utf8')).toBe('{"hooks": []}');
    expect(() => installCodexHooks(dir, { command: COMMAND, timeoutSeconds: 3 })).toThrow(/at least 5/);
    expect(() => installCodexHooks(dir, { command: '' })).toThrow(/one non-empty line/);
  });

  it('the installed command blocks (exit 2) when the hook cannot even start', () => {
    installCodexHooks(dir, { command: `'${join(dir, 'gone')}' hook codex` });
    const r = spawnSync('/bin/sh', ['-c', read().hooks.PermissionRequest[0].hooks[0].command], {
      input: '{}',
    });
    expect(r.status).toBe(2);
  });

  it('is the runner installer for hooks: codex', async () => {
    const codex = defaultHookInstallers(600).codex!;
    await codex.install({ jobId: 'j-1', cwd: dir, home: dir, hermesCommand: '/opt/hermes/bin/hermes' });
    expect(read().hooks.PermissionRequest[0].hooks[0].command).toBe(
      `/opt/hermes/bin/hermes hook codex --deadline 570 || exit 2 ${HERMES_HOOK_MARKER}`,
    );
    await codex.remove!(dir);
    expect(existsSync(join(dir, '.codex'))).toBe(false);
  });

  it('runs the one-file hook entry directly when the runner gives one', async () => {
    const codex = defaultHookInstallers(600).codex!;
    const hookCommand = ['/usr/bin/node', '/opt/hermes app/dist/agent/hook.cjs'];
    await codex.install({ jobId: 'j-1', cwd: dir, home: dir, hermesCommand: '/x/hermes', hookCommand });
    expect(read().hooks.PermissionRequest[0].hooks[0].command).toBe(
      `/usr/bin/node '/opt/hermes app/dist/agent/hook.cjs' codex --deadline 570 || exit 2 ${HERMES_HOOK_MARKER}`,
    );
  });
});
