/**
 * An agent program for a runner profile: plays a recorded Claude Code session (one PreToolUse
 * input per line, `{cwd}` standing for the working directory) through the hooks installed in its
 * working directory, as Claude Code would (hook-runner.ts), one call after the other, and writes
 * each call's verdict as a JSON line to the output file. Exits 0 once every call is played.
 *
 * Usage: node replay-agent.mjs TRACE OUT. The test bundles it with esbuild (tests run on Node 20,
 * which cannot run TypeScript), and the runner starts it under `hermes run` in a tmux session, so
 * the hooks see exactly the environment a job's agent gets.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { ClaudeCodeStandIn } from './hook-runner.js';

async function main(): Promise<void> {
  const [trace, out] = process.argv.slice(2);
  if (!trace || !out) throw new Error('usage: replay-agent TRACE OUT');
  const cwd = process.cwd();
  const calls = readFileSync(trace, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l.replaceAll('{cwd}', cwd)) as { tool_name: string } & Record<string, unknown>);
  const cc = new ClaudeCodeStandIn(cwd, process.env);
  for (const [i, call] of calls.entries()) {
    const r = await cc.preToolUse(call);
    const command = (call.tool_input as { command?: unknown } | undefined)?.command;
    appendFileSync(
      out,
      `${JSON.stringify({ i, tool: call.tool_name, command: typeof command === 'string' ? command : null, verdict: r.verdict })}\n`,
    );
  }
  console.log(`replayed ${calls.length} calls`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
