/**
 * The JSON Claude Code writes on a command hook's stdin
 * (see shared/fixtures/claude-hooks beside the checkout and docs/agent-hooks.md).
 *
 * Checked by hand rather than with zod, like runner/agent/agent-env.ts: the
 * hook runs on every tool call and importing zod alone costs more start-up
 * time than the rest of the progress path (see bench/publish). Only the
 * fields Hermes uses are read; unknown fields are ignored.
 */
import type { Readable } from 'node:stream';
import { HermesError } from '../../src/errors.js';

export interface HookInput {
  hookEventName: string;
  sessionId?: string;
  cwd?: string;
  /** PreToolUse / PostToolUse */
  toolName?: string;
  /** PreToolUse / PostToolUse: the tool's arguments, as Claude sent them. */
  toolInput?: Record<string, unknown>;
  /** Notification */
  message?: string;
  notificationType?: string;
  /** SessionStart: startup, resume, clear, compact */
  source?: string;
}

/** Hook inputs carry whole files (Write, Edit): generous, but bounded. */
export const MAX_HOOK_INPUT_BYTES = 8 * 1024 * 1024;

export function readHookStdin(stdin: Readable, maxBytes = MAX_HOOK_INPUT_BYTES): Promise<string> {
  // Events rather than `for await`: the async iterator's machinery is measurable on every call.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (e: Error) => {
      stdin.off('data', onData);
      stdin.pause();
      reject(e);
    };
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += b.length;
      if (size > maxBytes) return fail(new HermesError('too_large', `hook input exceeds ${maxBytes} bytes`));
      chunks.push(b);
    };
    stdin.on('data', onData);
    stdin.once('error', fail);
    stdin.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new HermesError('schema', `hook input: ${key} must be a string`);
  return v;
}

export function parseHookInput(text: string): HookInput {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HermesError('malformed', 'hook input on stdin is not JSON');
  }
  if (!isObject(value)) throw new HermesError('schema', 'hook input must be a JSON object');
  const hookEventName = optionalString(value, 'hook_event_name');
  if (!hookEventName) throw new HermesError('schema', 'hook input: hook_event_name is missing');
  const input: HookInput = { hookEventName };
  const fields: Array<[keyof HookInput, string]> = [
    ['sessionId', 'session_id'],
    ['cwd', 'cwd'],
    ['toolName', 'tool_name'],
    ['message', 'message'],
    ['notificationType', 'notification_type'],
    ['source', 'source'],
  ];
  for (const [prop, key] of fields) {
    const v = optionalString(value, key);
    if (v !== undefined) (input as unknown as Record<string, string>)[prop] = v;
  }
  const toolInput = value.tool_input;
  if (toolInput !== undefined && toolInput !== null) {
    if (!isObject(toolInput)) throw new HermesError('schema', 'hook input: tool_input must be an object');
    input.toolInput = toolInput;
  }
  if ((hookEventName === 'PreToolUse' || hookEventName === 'PostToolUse') && !input.toolName)
    throw new HermesError('schema', `hook input: ${hookEventName} without tool_name`);
  return input;
}
