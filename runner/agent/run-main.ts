/**
 * Process entry of `hermes run -- CMD…` used by bin/hermes.js: the same
 * command as the CLI table's, without loading the CLI's config, zod or pino
 * (every job pays this start-up once, and a runner may start fifty at once).
 */
import { systemClock, systemRandom } from '../../src/clock.js';
import { HermesError } from '../../src/errors.js';
import { run } from './run-command.js';

export function main(args: string[]): void {
  const controller = new AbortController();
  // Forwarded to the agent by run(); this process stays to publish the terminal event.
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
