/**
 * The Claude Code stand-in (test/fakes/claude-code) against small scripted hooks: which hooks a
 * matcher selects, and what each exit, output, crash and timeout does to the call, as the
 * fixture README (shared/fixtures/claude-hooks) says Claude Code does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaudeCodeStandIn, matcherMatches } from '../../fakes/claude-code/hook-runner.js';
import { tempHome } from '../../helpers/cli.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => {
  ({ home: dir, cleanup } = tempHome('hermes-cc-standin-'));
  mkdirSync(join(dir, '.claude'));
});
afterEach(() => cleanup());

const decision = (d: string) =>
  `printf '%s' '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"${d}","permissionDecisionReason":"r-${d}"}}'`;

function settings(file: string, groups: { matcher?: string; command: string; timeout?: number }[]) {
  const PreToolUse = groups.map((g) => ({
    ...(g.matcher !== undefined ? { matcher: g.matcher } : {}),
    hooks: [{ type: 'command', command: g.command, ...(g.timeout ? { timeout: g.timeout } : {}) }],
  }));
  writeFileSync(join(dir, '.claude', file), JSON.stringify({ hooks: { PreToolUse } }));
}

const call = (tool: string) => ({
  hook_event_name: 'PreToolUse',
  tool_name: tool,
  tool_input: { command: 'x' },
});

describe('Claude Code stand-in', () => {
  it('matchers: *, empty and none match every tool; otherwise an anchored regular expression', () => {
    for (const m of [undefined, '', '*']) expect(matcherMatches(m, 'Read')).toBe(true);
    expect(matcherMatches('Edit|Write', 'Write')).toBe(true);
    expect(matcherMatches('Edit|Write', 'MultiEdit')).toBe(false);
    expect(matcherMatches('mcp__.*', 'mcp__github__x')).toBe(true);
  });

  it('reads settings.json and settings.local.json, runs each matching hook with the input on stdin', async () => {
    settings('settings.json', [
      { matcher: 'Bash', command: `cat > '${dir}/seen.json'; ${decision('allow')}` },
    ]);
    settings('settings.local.json', [{ matcher: 'Read', command: decision('deny') }]);
    const cc = new ClaudeCodeStandIn(dir, process.env);
    expect(cc.hooksFor('Bash')).toHaveLength(1);
    expect(await cc.preToolUse(call('Bash'))).toMatchObject({ verdict: 'allow' });
    expect(JSON.parse(readFileSync(join(dir, 'seen.json'), 'utf8'))).toEqual(call('Bash'));
    expect(await cc.preToolUse(call('Read'))).toMatchObject({
      verdict: 'deny',
      outcomes: [{ kind: 'deny', reason: 'r-deny' }],
    });
    expect(await cc.preToolUse(call('Grep'))).toEqual({ verdict: 'proceed', outcomes: [] });
  });

  it('exit 2 blocks; other exits, no JSON and a timeout are non-blocking (the call goes on)', async () => {
    const cases: [string, string, number?][] = [
      ['echo no >&2; exit 2', 'deny'],
      ['exit 1', 'proceed'],
      ['echo not json', 'proceed'],
      ['true', 'proceed'],
      [`sleep 5; ${decision('deny')}`, 'proceed', 1],
      [decision('ask'), 'ask'],
    ];
    for (const [command, verdict, timeout] of cases) {
      settings('settings.local.json', [{ command, ...(timeout ? { timeout } : {}) }]);
      const r = await new ClaudeCodeStandIn(dir, process.env).preToolUse(call('Bash'));
      expect(r.verdict, command).toBe(verdict);
    }
  });

  it('several hooks: a deny or block wins over ask, ask over allow', async () => {
    settings('settings.local.json', [{ command: decision('allow') }, { command: decision('ask') }]);
    expect((await new ClaudeCodeStandIn(dir, process.env).preToolUse(call('Bash'))).verdict).toBe('ask');
    settings('settings.local.json', [{ command: decision('allow') }, { command: 'exit 2' }]);
    expect((await new ClaudeCodeStandIn(dir, process.env).preToolUse(call('Bash'))).verdict).toBe('deny');
  });
});
