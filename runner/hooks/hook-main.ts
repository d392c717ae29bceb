/**
 * Process entry of `hermes hook claude` and `hermes hook codex` used by bin/hermes.js: the same
 * commands as the CLI table's, without loading the CLI's config, zod or pino (they run on every
 * tool call).
 *
 * It exits as soon as its answer is written (the agent waits for the process; a connection still
 * closing must not hold it up), and even a bug or an unexpected crash ends in a `deny`, never in a
 * crash that the agent would treat as "go ahead": for Claude a `deny` answer with exit 0; for
 * Codex, whose answer format depends on the event, exit 2 (a block) unless it already answered.
 */
import { Writable } from 'node:stream';
import { systemClock, systemRandom } from '../../src/clock.js';
import { runHook } from './claude-hook.js';
import { runCodexHook } from './codex-hook.js';
import { permissionOutput } from './pre-tool-use.js';

export function main(args: string[], agent: 'claude' | 'codex' = 'claude'): void {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  let answered = false;
  let exiting = false;
  const stdout = new Writable({
    write(chunk, _encoding, done) {
      answered = true;
      process.stdout.write(chunk, done);
    },
  });
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    process.stdout.write('', () => process.exit(code));
  };
  const bug = (e: unknown) => {
    process.stderr.write(`hermes hook ${agent}: unexpected failure: ${String(e)}\n`);
    if (agent === 'codex') return exit(answered ? 0 : 2);
    if (!answered) {
      answered = true;
      const out = permissionOutput('deny', 'Hermes hook failed unexpectedly; denied (fail closed)');
      process.stdout.write(`${JSON.stringify(out)}\n`);
    }
    exit(0);
  };
  process.on('uncaughtException', bug);
  process.on('unhandledRejection', bug);
  // When this process started, so start-up time counts against the deadline (process.uptime, not
  // performance.timeOrigin: the global `performance` loads perf_hooks, a few ms on every call).
  const startedAt = Math.floor(systemClock.now() - process.uptime() * 1000);
  const run = agent === 'codex' ? runCodexHook : runHook;
  run(
    {
      args,
      env: process.env,
      stdin: process.stdin,
      stdout,
      stderr: process.stderr,
      clock: systemClock,
      random: systemRandom,
      signal: controller.signal,
    },
    startedAt,
  ).then((code) => stdout.end(() => exit(code)), bug);
}
