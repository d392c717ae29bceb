/**
 * `hermes up` pairs its in-process runner as `local` by itself: an identity
 * in $HERMES_HOME (created once) and the same key in the bot's runner table.
 */
import { existsSync } from 'node:fs';
import { identityPath, initRunnerIdentity, readRunnerIdentity } from '../../runner/daemon/identity.js';
import { RunnersStore } from '../bot/runners-store.js';
import type { Clock, Random } from '../clock.js';
import type { Db } from '../store/sqlite.js';

export const LOCAL_RUNNER = 'local';

export function ensureLocalRunner(home: string, db: Db, clock: Clock, random: Random): void {
  const identity = existsSync(identityPath(home))
    ? readRunnerIdentity(home)
    : initRunnerIdentity({ home, runnerId: LOCAL_RUNNER, clock, random });
  const runners = new RunnersStore(db, clock);
  // Re-adding would reset the runner's status counters: only pair when the key is new.
  if (runners.keyOf(identity.runnerId) !== identity.key) runners.add(identity.runnerId, identity.key);
}
