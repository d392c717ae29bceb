/**
 * Client of the runner's local relay socket (`HERMES_RUNNER_SOCKET`).
 * Protocol: one JSON object per line each way, one request per connection.
 *   {"op":"publish","job_id","seq","topic","wire","retain"} -> {"ok":true} once the event is in
 *     the runner's SQLite outbox (it forwards it over its persistent connection);
 *   {"op":"await_decision","job_id","request_id","timeout_ms"} -> {"ok":true,"wire":"<decision>"}
 *     when a decision for that request arrives, or {"ok":false,"error":"timeout"};
 *   {"op":"auto_decision","job_id","hook","tool","decision","rule","origin","summary"} ->
 *     {"ok":true,"seq":N} once the runner has signed and stored the trace of a static decision.
 *   {"op":"next_seq","job_id","floor"?} -> {"ok":true,"seq":N}: the job's next seq, above every seq
 *     the runner has seen for the job from any publisher (a fleet agent's too), at least floor.
 * Errors: {"ok":false,"error":"<reason>"}.
 */
import { createConnection } from 'node:net';
import { HermesError } from '../../src/errors.js';
import type { AutoDecision } from '../../src/protocol/auto-decision.js';

export type RunnerRequest =
  | { op: 'publish'; job_id: string; seq: number; topic: string; wire: string; retain: boolean }
  | { op: 'await_decision'; job_id: string; request_id: string; timeout_ms: number }
  | ({ op: 'auto_decision'; job_id: string } & AutoDecision)
  | { op: 'next_seq'; job_id: string; floor?: number };

export interface RunnerReply {
  ok: boolean;
  error?: string;
  wire?: string;
  seq?: number;
}

/** Send one request; rejects with HermesError('broker') when the socket is unusable. */
export function askRunner(
  socketPath: string,
  request: RunnerRequest,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<RunnerReply> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    let buf = '';
    let done = false;
    const finish = (err: Error | undefined, reply?: RunnerReply) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      sock.destroy();
      if (err) reject(err);
      else resolve(reply!);
    };
    const onAbort = () => finish(new HermesError('timeout', 'interrupted'));
    const timer = setTimeout(
      () => finish(new HermesError('timeout', `runner socket did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify(request)}\n`));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        finish(undefined, JSON.parse(buf.slice(0, nl)) as RunnerReply);
      } catch {
        finish(new HermesError('broker', 'runner socket sent an unreadable reply'));
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) =>
      finish(new HermesError('broker', `runner socket ${socketPath}: ${e.code ?? e.message}`, { cause: e })),
    );
    sock.on('close', () => finish(new HermesError('broker', 'runner socket closed without a reply')));
  });
}
