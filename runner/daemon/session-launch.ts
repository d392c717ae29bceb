/**
 * How the daemon launches an agent: the session's environment and the argv
 * that wraps the profile's program in `hermes run`.
 */
import { dirname, join } from 'node:path';
import type { Config, Env } from '../../src/config/load.js';
import type { InstallPaths } from './install-paths.js';
import { sessionEnv } from './session-env.js';
import type { StartDeps } from './start-job.js';

export interface LaunchInput {
  config: Config;
  runnerId: string;
  brokerUrl: string;
  install: InstallPaths;
  /** Folder of the `hermes` shim (writeHermesShim). */
  shimDir: string;
  /** The runner's environment (PATH, HOME). */
  env: Env;
  runnerSocket: string | undefined;
}

export function sessionLaunch(
  i: LaunchInput,
): Pick<
  StartDeps,
  'envFor' | 'wrap' | 'hermesCommand' | 'hookCommand' | 'defaultCwd' | 'cwdRoots' | 'userHome' | 'hardline'
> {
  return {
    envFor: (profile, auth, job) =>
      sessionEnv(
        {
          config: i.config,
          runnerId: i.runnerId,
          brokerUrl: i.brokerUrl,
          shimDir: i.shimDir,
          nodeDir: dirname(i.install.node),
          basePath: i.env.PATH,
          runnerSocket: i.runnerSocket,
        },
        profile,
        auth,
        job,
      ),
    // tmux gives a pane the PATH of the client that created it, whatever `-e PATH=` says: set it with env.
    wrap: (argv, env) => [
      'env',
      `PATH=${env.PATH ?? ''}`,
      i.install.node,
      i.install.hermesBin,
      'run',
      '--',
      ...argv,
    ],
    hermesCommand: join(i.shimDir, 'hermes'),
    // The hooks run on every tool call: node straight on the one-file hook entry, no shell shim.
    hookCommand: [i.install.node, i.install.hookEntry],
    defaultCwd: i.config.runner.workdir ?? i.env.HOME ?? i.config.home,
    cwdRoots: i.config.runner.cwd_roots,
    userHome: i.env.HOME,
    hardline: { add: i.config.runner.hardline_add, remove: i.config.runner.hardline_remove },
  };
}
