/**
 * Agent hooks a profile asks for (`hooks: claude` or `codex`), installed into the job's
 * working copy before the agent starts and removed when its session ends
 * (the agent read them at start; left behind, they would make a person's own
 * later run in that folder ask a Hermes job that is gone). A profile asking
 * for hooks this build cannot install fails to start (closed), rather than
 * running an agent whose tool calls no person approves.
 */
import { HermesError } from '../../src/errors.js';
import { installClaudeHooks, shellCommand, uninstallClaudeHooks } from '../hooks/install-claude.js';
import { installCodexHooks, uninstallCodexHooks } from '../hooks/install-codex.js';

export interface HookInstallContext {
  jobId: string;
  /** The job's working directory. */
  cwd: string;
  /** `$HERMES_HOME` of the runner. */
  home: string;
  /** Absolute path of a `hermes` executable the hook can call. */
  hermesCommand: string;
  /**
   * argv that runs the hook entry itself (`node …/dist/agent/hook.cjs`), followed by the agent's
   * name: the same command as `hermes hook <agent>`, without bin/hermes.js. Default: `hermes hook`.
   */
  hookCommand?: readonly string[];
}

const hookArgv = (ctx: HookInstallContext, agent: 'claude' | 'codex'): string[] => [
  ...(ctx.hookCommand ?? [ctx.hermesCommand, 'hook']),
  agent,
];

export interface HookInstaller {
  install(ctx: HookInstallContext): Promise<void> | void;
  remove?(cwd: string): Promise<void> | void;
}

export type HookKind = 'none' | 'claude' | 'codex';

export type HookInstallers = Partial<Record<Exclude<HookKind, 'none'>, HookInstaller>>;

/**
 * The installers this build ships (runner/hooks): Claude Code's `.claude/settings.local.json` and
 * Codex's `.codex/hooks.json`.
 */
export function defaultHookInstallers(askTimeoutSeconds: number): HookInstallers {
  return {
    claude: {
      install: (ctx) => {
        installClaudeHooks(ctx.cwd, {
          command: shellCommand(hookArgv(ctx, 'claude')),
          // Claude Code's hook timeout, in whole seconds; the hook answers (deny) before it.
          timeoutSeconds: Math.max(5, Math.ceil(askTimeoutSeconds)),
        });
      },
      remove: (cwd) => uninstallClaudeHooks(cwd),
    },
    codex: {
      install: (ctx) => {
        installCodexHooks(ctx.cwd, {
          command: shellCommand(hookArgv(ctx, 'codex')),
          timeoutSeconds: Math.max(5, Math.ceil(askTimeoutSeconds)),
        });
      },
      remove: (cwd) => uninstallCodexHooks(cwd),
    },
  };
}

export async function installHooks(
  kind: HookKind,
  installers: HookInstallers,
  ctx: HookInstallContext,
): Promise<void> {
  if (kind === 'none') return;
  const installer = installers[kind];
  if (!installer) {
    throw new HermesError('config', `hooks: ${kind} cannot be installed by this runner build`, {
      hint: 'update Hermes, or use a profile without hooks',
    });
  }
  await installer.install(ctx);
}

export async function removeHooks(kind: HookKind, installers: HookInstallers, cwd: string): Promise<void> {
  if (kind === 'none') return;
  await installers[kind]?.remove?.(cwd);
}
