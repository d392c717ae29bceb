/**
 * Entry of the hook command the runner installs into a job's working copy:
 * `node dist/agent/hook.cjs claude|codex [flags]`, the same command as `hermes hook claude|codex`,
 * built as one CommonJS file (package.json `build:hook`). It skips bin/hermes.js and Node's ESM
 * loader, which alone cost about as much as the rest of an auto-allowed call (see `npm run bench`).
 */
import { main } from './hook-main.js';
import { permissionOutput } from './pre-tool-use.js';

const [agent, ...args] = process.argv.slice(2);
if (agent === 'claude' || agent === 'codex') main(args, agent);
else {
  // Not typed by a person: a broken install. Fail closed: Claude reads a deny from a hook that
  // exits 0, Codex blocks on exit 2.
  process.stderr.write(`hermes hook: expected claude or codex, got ${agent ?? 'nothing'}\n`);
  process.stdout.write(
    `${JSON.stringify(permissionOutput('deny', 'Hermes hook misinstalled; denied (fail closed)'))}\n`,
  );
  process.exitCode = 2;
}
