/**
 * `$HERMES_HOME/agent-sessions.yaml`: every session, for people and scripts
 * that poll a file instead of the database. Rewritten whole and atomically
 * whenever a session reaches stopped, terminated or archived, so a reader
 * always parses a complete document.
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type Clock, isoTime, systemClock } from '../src/clock.js';
import { HermesError } from '../src/errors.js';
import { writeFileAtomic } from './atomic-file.js';
import { type Session, sessionToJson } from './session-record.js';

export const MIRROR_FILE = 'agent-sessions.yaml';
export const MIRROR_VERSION = 1;

export const mirrorPath = (home: string): string => join(home, MIRROR_FILE);

export function renderSessionsYaml(sessions: readonly Session[], at: number): string {
  const doc = {
    version: MIRROR_VERSION,
    updated_at: isoTime(at),
    sessions: sessions.map(sessionToJson),
  };
  // lineWidth 0: no folding, so a value is always on one line and diffs stay small.
  const body = stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
  return `# Written by the Hermes runner from runner.db; edits are overwritten.\n${body}`;
}

/** Something reconcile can hand the session list to after a state change. */
export interface SessionMirror {
  write(sessions: readonly Session[]): void;
  /** The last write failed: the next pass should write even without a change. */
  readonly stale: boolean;
}

export class YamlMirror implements SessionMirror {
  private failed = false;

  constructor(
    readonly file: string,
    private readonly clock: Clock = systemClock,
  ) {}

  get stale(): boolean {
    return this.failed;
  }

  write(sessions: readonly Session[]): void {
    try {
      writeFileAtomic(this.file, renderSessionsYaml(sessions, this.clock.now()));
      this.failed = false;
    } catch (cause) {
      this.failed = true;
      throw new HermesError('store', `cannot write ${this.file}: ${(cause as Error).message}`, {
        cause,
        hint: 'check that $HERMES_HOME is writable and not full',
      });
    }
  }
}
