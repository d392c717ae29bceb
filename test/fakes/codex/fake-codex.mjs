#!/usr/bin/env node
/**
 * A stand-in for the Codex CLI in tests: `codex --version`, `codex exec --help` (clap's layout,
 * listing the `resume` subcommand unless $FAKE_CODEX_RESUME is 0, as older Codex versions lack
 * it), and `codex exec [--json] [--] PROMPT` / `codex exec [--json] resume [--] SESSION PROMPT`
 * speaking the `--json` lines of Codex's docs/exec.md (thread.started with the thread id,
 * item.* lines, turn.completed with usage). A resume of a thread it did not start fails, like
 * Codex. State in $FAKE_CODEX_DIR: `threads/<id>` and `calls.jsonl` ({argv, thread_id, resumed}).
 * Tests put it on PATH as `codex` through a two-line sh wrapper.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const hasResume = process.env.FAKE_CODEX_RESUME !== '0';
const say = (s) => process.stdout.write(s);

if (args[0] === '--version') {
  say(`${process.env.FAKE_CODEX_VERSION ?? 'codex-cli 0.46.0'}\n`);
  process.exit(0);
}
if (args[0] !== 'exec') {
  process.stderr.write('fake-codex: only --version and exec are played\n');
  process.exit(2);
}
if (args[1] === '--help') {
  say(
    [
      'Run Codex non-interactively',
      '',
      'Usage: codex exec [OPTIONS] [PROMPT] [COMMAND]',
      '',
      'Commands:',
      ...(hasResume ? ['  resume  Resume a previous session by id or pick the most recent with --last'] : []),
      '  help    Print this message or the help of the given subcommand(s)',
      '',
      'Arguments:',
      '  [PROMPT]  Initial instructions for the agent',
      '',
      'Options:',
      '      --json  Print events to stdout as JSONL',
      '  -h, --help  Print help',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const dir = process.env.FAKE_CODEX_DIR;
if (!dir) {
  process.stderr.write('fake-codex: FAKE_CODEX_DIR is not set\n');
  process.exit(2);
}
mkdirSync(join(dir, 'threads'), { recursive: true });
let json = false;
let resume = false;
const positional = [];
for (let i = 1; i < args.length; i++) {
  const a = args[i];
  if (a === '--') {
    positional.push(...args.slice(i + 1));
    break;
  }
  if (a === '--json') json = true;
  else if (a === 'resume' && !resume && positional.length === 0) resume = true;
  else positional.push(a);
}
if (resume && !hasResume) {
  process.stderr.write("error: unexpected argument 'resume' found\n");
  process.exit(2);
}
let threadId;
let prompt;
if (resume) {
  [threadId, prompt] = positional;
  if (!threadId || !existsSync(join(dir, 'threads', threadId))) {
    process.stderr.write(`Error: no rollout found for thread id ${threadId}\n`);
    process.exit(1);
  }
} else {
  prompt = positional[0] ?? '';
  const n = readdirSync(join(dir, 'threads')).length + 1;
  threadId = `0199a213-81c0-7800-8aa1-${String(n).padStart(12, '0')}`;
  writeFileSync(join(dir, 'threads', threadId), '');
}
appendFileSync(
  join(dir, 'calls.jsonl'),
  `${JSON.stringify({ argv: args, thread_id: threadId, resumed: resume })}\n`,
);

const out = (o) => say(`${JSON.stringify(o)}\n`);
if (json) {
  out({ type: 'thread.started', thread_id: threadId });
  out({ type: 'turn.started' });
  out({ type: 'item.completed', item: { id: 'item_0', type: 'reasoning', text: '**Looking around**' } });
  out({
    type: 'item.started',
    item: {
      id: 'item_1',
      type: 'command_execution',
      command: 'bash -lc ls',
      aggregated_output: '',
      status: 'in_progress',
    },
  });
  out({
    type: 'item.completed',
    item: {
      id: 'item_1',
      type: 'command_execution',
      command: 'bash -lc ls',
      aggregated_output: 'README.md\n',
      exit_code: 0,
      status: 'completed',
    },
  });
  out({ type: 'item.completed', item: { id: 'item_2', type: 'agent_message', text: `Done: ${prompt}` } });
  out({
    type: 'turn.completed',
    usage: { input_tokens: 24763, cached_input_tokens: 24448, output_tokens: 122 },
  });
} else {
  say(`Done: ${prompt}\n`);
}
