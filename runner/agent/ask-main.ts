/**
 * Process entry of `hermes ask` used by bin/hermes.js: the same command as
 * the CLI table's, without loading the CLI's config or pino (the Claude hook
 * and the demo agent run it for every permission request).
 */
import { systemClock, systemRandom } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { run } from './ask-command.js';

export function main(args: string[]): void {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  run({
    args,
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    clock: systemClock,
    random: systemRandom,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      const he = e instanceof HermesError ? e : undefined;
      process.stderr.write(
        `hermes: ${he ? (he.hint ? `${he.message} (${he.hint})` : he.message) : String(e)}\n`,
      );
      process.exitCode = he?.code === 'usage' ? 2 : 1;
    },
  );
}
