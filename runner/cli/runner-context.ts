/** What the runner's CLI commands share: the session store and tmux, built from config. */
import type { CommandContext } from '../../src/cli/context.js';
import { openSessionStore, type SessionStore } from '../session-store.js';
import { Tmux } from '../tmux.js';
import { nodeExec, tmuxClientEnv } from '../tmux-exec.js';

/** Open runner.db for one command and close it afterwards. */
export async function withSessionStore<T>(
  ctx: CommandContext,
  fn: (store: SessionStore) => Promise<T> | T,
): Promise<T> {
  const config = ctx.config();
  const store = openSessionStore({
    home: config.home,
    log: ctx.logger(),
    journal: config.sqlite_journal,
    clock: ctx.clock,
  });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/** tmux on the runner's socket, run with only the environment tmux needs. */
export function runnerTmux(ctx: CommandContext): Tmux {
  return new Tmux({
    socket: ctx.config().runner.tmux_socket,
    exec: nodeExec({ env: tmuxClientEnv(ctx.env) }),
  });
}
