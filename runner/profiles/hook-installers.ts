/**
 * Agent hooks a profile asks for (`hooks: claude`), installed into the job's
 * working copy before the agent starts. The installers live in runner/hooks
 * (built separately); a profile asking for hooks this build cannot install
 * fails to start (closed), rather than running an agent whose tool calls no
 * person approves.
 */
import { HermesError } from '../../src/errors.js';

export interface HookInstallContext {
  jobId: string;
  /** The job's working directory. */
  cwd: string;
  /** `$HERMES_HOME` of the runner. */
  home: string;
  /** Absolute path of a `hermes` executable the hook can call. */
  hermesCommand: string;
}

export type HookInstaller = (ctx: HookInstallContext) => Promise<void> | void;

export type HookKind = 'none' | 'claude';

export type HookInstallers = Partial<Record<Exclude<HookKind, 'none'>, HookInstaller>>;

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
  await installer(ctx);
}
