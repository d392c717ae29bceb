/**
 * Claude Code's PreToolUse answer: the shared decision (tool-decision.ts: static rules, then a
 * person through Hermes, fail closed) as Claude's permission decision.
 */
import type { AgentIo } from '../agent/agent-io.js';
import type { HookInput } from './hook-input.js';
import { decideToolCall, failClosed } from './tool-decision.js';

export interface PermissionOutput {
  hookSpecificOutput: {
    hookEventName: 'PreToolUse';
    permissionDecision: 'allow' | 'deny';
    permissionDecisionReason: string;
  };
}

export const permissionOutput = (decision: 'allow' | 'deny', reason: string): PermissionOutput => ({
  hookSpecificOutput: {
    hookEventName: 'PreToolUse',
    permissionDecision: decision,
    permissionDecisionReason: reason,
  },
});

/**
 * The decision for one PreToolUse call, within `deadlineMs` of `startedAt`. Resolves, never rejects.
 */
export async function decidePreToolUse(
  input: HookInput,
  io: AgentIo,
  opts: { startedAt: number; deadlineMs: number },
): Promise<PermissionOutput> {
  const d = (await decideToolCall(input, io, opts)) ?? failClosed('no decision');
  return permissionOutput(d.decision, d.reason);
}
