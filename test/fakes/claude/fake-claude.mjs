#!/usr/bin/env node
/**
 * A stand-in for `claude -p` in tests: speaks the output formats of
 * ../shared/fixtures/claude-cli/ (`--output-format json` or `stream-json`),
 * and continues a session with `--resume ID` only if it started that session
 * itself (like Claude Code, which refuses an unknown session id).
 *
 * State lives in $FAKE_CLAUDE_DIR: `sessions/<id>` for each session it
 * started, and `calls.jsonl`, one line per run ({argv, cwd, session_id,
 * resumed}), so a test can see what Hermes passed. Each turn reports
 * $FAKE_CLAUDE_COST dollars (default 0.25) and fixed token counts; the final
 * text is `Done: <prompt>`. $FAKE_CLAUDE_EXIT makes it exit with that status
 * after printing; $FAKE_CLAUDE_SUBTYPE reports that result subtype.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.FAKE_CLAUDE_DIR;
if (!dir) {
  process.stderr.write('fake-claude: FAKE_CLAUDE_DIR is not set\n');
  process.exit(2);
}
mkdirSync(join(dir, 'sessions'), { recursive: true });

const args = process.argv.slice(2);
let format = 'text';
let resume;
let prompt = '';
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--') {
    prompt = args.slice(i + 1).join(' ');
    break;
  }
  if (a === '--output-format') format = args[++i];
  else if (a === '--resume') resume = args[++i];
}

let sessionId;
if (resume !== undefined) {
  if (!existsSync(join(dir, 'sessions', resume))) {
    process.stderr.write(`No conversation found with session ID: ${resume}\n`);
    process.exit(1);
  }
  sessionId = resume;
} else {
  const n = readdirSync(join(dir, 'sessions')).length + 1;
  sessionId = `8b1f2c3d-0000-4000-8000-${String(n).padStart(12, '0')}`;
  writeFileSync(join(dir, 'sessions', sessionId), '');
}
appendFileSync(
  join(dir, 'calls.jsonl'),
  `${JSON.stringify({ argv: args, cwd: process.cwd(), session_id: sessionId, resumed: resume !== undefined })}\n`,
);

const cost = Number(process.env.FAKE_CLAUDE_COST ?? '0.25');
const subtype = process.env.FAKE_CLAUDE_SUBTYPE ?? 'success';
const result = {
  type: 'result',
  subtype,
  is_error: subtype !== 'success',
  duration_ms: 1200,
  duration_api_ms: 1000,
  num_turns: 3,
  result: `Done: ${prompt}`,
  session_id: sessionId,
  total_cost_usd: cost,
  usage: {
    input_tokens: 100,
    cache_creation_input_tokens: 2000,
    cache_read_input_tokens: 30000,
    output_tokens: 500,
  },
  an_unknown_field: { ignored: true },
};
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);
if (format === 'stream-json') {
  out({
    type: 'system',
    subtype: 'init',
    session_id: sessionId,
    cwd: process.cwd(),
    model: 'fake',
    tools: ['Read'],
  });
  out({
    type: 'assistant',
    session_id: sessionId,
    message: {
      role: 'assistant',
      content: [
        { type: 'text', text: `Working on: ${prompt}` },
        { type: 'tool_use', id: 't1', name: 'Read', input: {} },
      ],
      usage: {
        input_tokens: 60,
        cache_creation_input_tokens: 2000,
        cache_read_input_tokens: 0,
        output_tokens: 200,
      },
    },
  });
  out({
    type: 'user',
    session_id: sessionId,
    message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '…' }] },
  });
  out(result);
} else if (format === 'json') {
  out(result);
} else {
  process.stdout.write(`${result.result}\n`);
}
process.exitCode = Number(process.env.FAKE_CLAUDE_EXIT ?? '0');
