/**
 * The `demo` profile's agent: a scripted stand-in for a coding agent that
 * needs no account. Run by the runner as `hermes run -- node demo-agent.js -- PROMPT`
 * (so `started` and the terminal event come from `hermes run`), it
 *
 * 1. reports progress a few times with `hermes publish`,
 * 2. asks for permission to write README.md with `hermes ask` (tool `Write`,
 *    input: the edit it would make, derived from the prompt),
 * 3. exits 0 when approved (the job completes) and non-zero when denied or
 *    unanswered (the job ends in error).
 *
 * It never writes anything. Everything it does goes through the same
 * commands a real agent or hook would call, which is what it demonstrates.
 * HERMES_DEMO_STEP_MS sets the pause between steps (the runner passes
 * runner.demo_step_ms).
 */
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const ASK_EXIT_DENY = 1;
const ASK_EXIT_TIMEOUT = 3;

function promptFrom(argv: string[]): string {
  const i = argv.indexOf('--');
  return (i >= 0 ? argv.slice(i + 1) : argv).join(' ').trim() || 'tidy the README';
}

/** Run `hermes ARGS` (found on PATH: the runner puts its own first) and return its exit status. */
function hermes(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('hermes', args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (e) => {
      process.stderr.write(`demo agent: cannot run hermes: ${e.message}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function progress(text: string): Promise<void> {
  process.stdout.write(`demo agent: ${text}\n`);
  const code = await hermes(['publish', '--event', 'progress', '--detail', text]);
  if (code !== 0) process.stderr.write(`demo agent: hermes publish exited with ${code}\n`);
}

/** The README change the demo would make for this prompt (shown to the approver, never written). */
export function proposedEdit(prompt: string): { file_path: string; old_string: string; new_string: string } {
  const line = prompt.replace(/\s+/g, ' ').slice(0, 200);
  return {
    file_path: 'README.md',
    old_string: '## Usage',
    new_string: `## Usage\n\n<!-- demo agent: ${line} -->`,
  };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const prompt = promptFrom(argv);
  const stepMs = Math.max(0, Number(env.HERMES_DEMO_STEP_MS ?? 1500) || 0);
  await progress('reading the repository');
  await delay(stepMs);
  await progress(`planning a README.md edit for: ${prompt}`);
  await delay(stepMs);
  const edit = proposedEdit(prompt);
  process.stdout.write('demo agent: asking for permission to write README.md\n');
  const answer = await hermes([
    'ask',
    '--tool',
    'Write',
    '--input',
    JSON.stringify(edit),
    '--reason',
    `Edit README.md (${prompt.slice(0, 120)})`,
  ]);
  if (answer === 0) {
    await progress('edit approved; the demo agent writes nothing and finishes');
    await delay(stepMs);
    return 0;
  }
  const why =
    answer === ASK_EXIT_DENY
      ? 'denied'
      : answer === ASK_EXIT_TIMEOUT
        ? 'not answered in time'
        : `not asked (hermes ask exited ${answer})`;
  process.stderr.write(`demo agent: permission ${why}; stopping without changes\n`);
  return answer === 0 ? 0 : answer === ASK_EXIT_DENY || answer === ASK_EXIT_TIMEOUT ? 1 : 2;
}

// Run when executed directly (not when a test imports proposedEdit).
const entry = process.argv[1];
if (entry && realpathSync(entry) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`demo agent: ${String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
