/** The real process around runCli: signals, exit code. The only place the CLI reads process.*. */
import { runCli } from './main.js';

export function main(): void {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  runCli(process.argv.slice(2), {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`hermes: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
