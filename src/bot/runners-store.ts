/** The bot's table of paired runners: keys, last reported state, command and reply counters. */
import { type Clock, isoTime } from '../clock.js';
import { HermesError } from '../errors.js';
import { ID_RE, NEW_ID_RE, NEW_ID_RULE } from '../protocol/topics.js';
import { type Db, immediate, prepared } from '../store/sqlite.js';
import type { RunnerInfo } from './runner-control.js';

interface RunnerRow {
  id: string;
  key: string;
  state: string;
  profiles: string;
  last_seen: string | null;
  status_seq: number;
  command_seq: number;
  result_seq: number;
  added_at: string;
}

const KEY_RE = /^[A-Za-z0-9_-]{32,128}$/;

export class RunnersStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  add(id: string, key: string): void {
    if (!ID_RE.test(id)) throw new HermesError('usage', `runner id "${id}" is not valid`);
    // A runner paired before ids lost the `.` may be paired again (a new key); a new one may not.
    if (!NEW_ID_RE.test(id) && this.keyOf(id) === undefined)
      throw new HermesError('usage', `runner id "${id}" ${NEW_ID_RULE}`);
    if (!KEY_RE.test(key))
      throw new HermesError(
        'usage',
        'runner key must be 32-128 base64url characters (as `hermes runner init` prints)',
      );
    prepared(
      this.db,
      `INSERT INTO runners (id, key, added_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET key = excluded.key, state = 'unknown', status_seq = -1, result_seq = -1`,
    ).run(id, key, isoTime(this.clock.now()));
  }

  remove(id: string): boolean {
    return prepared(this.db, 'DELETE FROM runners WHERE id = ?').run(id).changes > 0;
  }

  keyOf(id: string): string | undefined {
    return (prepared(this.db, 'SELECT key FROM runners WHERE id = ?').get(id) as { key: string } | undefined)
      ?.key;
  }

  list(): RunnerInfo[] {
    return (prepared(this.db, 'SELECT * FROM runners ORDER BY id').all() as RunnerRow[]).map((r) => ({
      id: r.id,
      state: r.state === 'online' || r.state === 'offline' ? r.state : 'unknown',
      profiles: JSON.parse(r.profiles) as string[],
      lastSeen: r.last_seen,
    }));
  }

  /** Records a status report if its seq is newer than the last one; returns whether it was. */
  recordStatus(
    id: string,
    seq: number,
    state: 'online' | 'offline',
    profiles: string[] | undefined,
  ): boolean {
    return immediate(this.db, () => {
      const r = prepared(this.db, 'SELECT status_seq, profiles FROM runners WHERE id = ?').get(id) as
        | { status_seq: number; profiles: string }
        | undefined;
      if (!r || seq <= r.status_seq) return false;
      prepared(
        this.db,
        'UPDATE runners SET state = ?, profiles = ?, last_seen = ?, status_seq = ? WHERE id = ?',
      ).run(state, profiles ? JSON.stringify(profiles) : r.profiles, isoTime(this.clock.now()), seq, id);
      return true;
    });
  }

  /** Accepts a reply seq once, in increasing order. */
  acceptResultSeq(id: string, seq: number): boolean {
    return (
      prepared(this.db, 'UPDATE runners SET result_seq = ? WHERE id = ? AND result_seq < ?').run(seq, id, seq)
        .changes > 0
    );
  }

  nextCommandSeq(id: string): number {
    return immediate(this.db, () => {
      prepared(this.db, 'UPDATE runners SET command_seq = command_seq + 1 WHERE id = ?').run(id);
      const r = prepared(this.db, 'SELECT command_seq FROM runners WHERE id = ?').get(id) as
        | { command_seq: number }
        | undefined;
      if (!r)
        throw new HermesError('unknown_runner', `no runner ${id} is paired`, {
          hint: `run hermes runners add ${id} --key-file F`,
        });
      return r.command_seq;
    });
  }
}
