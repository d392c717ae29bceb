/**
 * The runner's local relay for agents: what the daemon passes in and gets
 * back. The wire between agent commands and the relay is described in
 * runner/agent/runner-socket-client.ts (the client side) and docs/agent-hooks.md.
 */
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/log.js';
import type { MqttBus } from '../../src/mqtt/bus.js';
import type { EventType } from '../../src/protocol/schemas.js';
import type { Db, JournalSetting } from '../../src/store/sqlite.js';

export interface LocalRelayOptions {
  /** Path of the Unix socket (e.g. `$HERMES_HOME/runner.sock`); created 0600. */
  socketPath: string;
  /** The runner's home: the outbox lives in `{home}/outbox.db` unless `db` is given. */
  home: string;
  /** An open database to keep the outbox in instead (migrated here; the caller closes it). */
  db?: Db;
  /**
   * Journal mode of `outbox.db` (`sqlite_journal`, `HERMES_SQLITE_JOURNAL`): `auto` (the default)
   * uses WAL, or DELETE on a network filesystem; `wal` / `delete` force it. Unused with `db`.
   */
  journal?: JournalSetting;
  /** The runner's one persistent connection; the relay never closes it. */
  bus: MqttBus;
  /** Topic prefix (`mqtt.topic_prefix`). */
  prefix: string;
  log: Logger;
  clock: Clock;
  /** Largest event wire accepted, in bytes (`relay.max_payload_bytes`, default 65536). */
  maxPayloadBytes: number;
  /** Called once per newly accepted event, after it is committed to the outbox (not for duplicates). */
  onEvent?: (jobId: string, event: EventType, seq: number) => void;
  /**
   * False refuses requests for that job (`unknown job`). Default: every job is allowed. A HermesError
   * thrown here refuses the request with its message (a job whose session has ended, say).
   */
  jobAllowed?: (jobId: string) => boolean;
  /**
   * The job's token, when the runner knows it (null: a --no-auth job; undefined: unknown). With a
   * token the relay refuses events whose signature does not verify, and never hands a waiting agent
   * a decision whose signature does not verify (so a forged retained decision cannot make
   * `hermes ask` spin on it). Undefined means structure only (the agent still verifies): a caller
   * that knows the job needs a token it cannot read must throw a HermesError instead, which refuses
   * the request with its message (the runner daemon does).
   */
  jobToken?: (jobId: string) => string | null | undefined;
  /**
   * The job's next seq, at least `floor` (the `next_seq` request). The daemon's counts above every
   * seq it received from the broker for the job (runner/daemon/job-seqs.ts); the default claims
   * from the job's seq files in `home` alone.
   */
  nextSeq?: (jobId: string, floor: number) => number;
  /** Sent outbox rows are kept this long to recognise an agent's retry as a duplicate. Default 24 h. */
  sentRetentionMs?: number;
}

export interface LocalRelay {
  /** Stops accepting, answers waiting agents with an error, stops forwarding, removes the socket. */
  close(): Promise<void>;
  /**
   * Resolves once every accepted event has been acknowledged by the broker. With a timeout it
   * rejects (HermesError 'timeout') when rows are still unsent at that time.
   */
  flush(timeoutMs?: number): Promise<void>;
  /** Accepted events not yet acknowledged by the broker. */
  pending(): number;
  /** Agents waiting for a decision right now. */
  waiting(): number;
  /** Publishes a job's events from..to again from the outbox; returns how many it still had. */
  resend(jobId: string, from: number, to: number): number;
}
