/**
 * Short human text for a tool call (the permission request's detail and
 * progress lines), and the tool input cut down to what fits in one event:
 * a Write carries the whole file, and an event over the relay's size limit
 * (64 KiB by default) would be dropped by the bot, leaving the agent to wait
 * for a decision that can never come.
 */

/** Budget for tool_input inside a permission request, as JSON text. */
export const MAX_INPUT_JSON_BYTES = 16 * 1024;
const MAX_STRING_CHARS = 2000;
const MAX_SUMMARY_CHARS = 300;

function oneLine(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The argument a person recognises a call by, for the tools Claude Code ships. */
function mainArgument(tool: string, input: Record<string, unknown>): string | undefined {
  switch (tool) {
    case 'Bash':
      return str(input.command);
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
    case 'Read':
      return str(input.file_path);
    case 'NotebookEdit':
      return str(input.notebook_path);
    case 'WebFetch':
      return str(input.url);
    case 'WebSearch':
      return str(input.query);
    case 'Grep':
    case 'Glob':
      return str(input.pattern);
    default:
      return Object.values(input).map(str).find(Boolean);
  }
}

/** `Bash: npm test (Run the test suite)`, `Write /path/file`, or the tool name alone. */
export function describeToolCall(tool: string, input: Record<string, unknown> = {}): string {
  const arg = mainArgument(tool, input);
  const why = str(input.description);
  const text = arg ? `${tool}${tool === 'Bash' ? ':' : ''} ${arg}` : tool;
  return oneLine(why ? `${text} (${why})` : text, MAX_SUMMARY_CHARS);
}

/**
 * One short line after a tool ran (progress): the tool and what it worked on, but not a shell
 * command itself, which may carry secrets; its approval request already showed it.
 */
export function describeToolUse(tool: string, input: Record<string, unknown> = {}): string {
  const what = tool === 'Bash' ? str(input.description) : mainArgument(tool, input);
  return oneLine(what ? `used ${tool}: ${what}` : `used ${tool}`, MAX_SUMMARY_CHARS);
}

function truncateStrings(v: unknown, max: number): unknown {
  if (typeof v === 'string')
    return v.length > max ? `${v.slice(0, max)}… [${v.length - max} more characters not shown]` : v;
  if (Array.isArray(v)) return v.map((x) => truncateStrings(x, max));
  // fromEntries defines properties, so a `__proto__` key from the input stays plain data.
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, truncateStrings(x, max)]));
  return v;
}

/**
 * The input as JSON text within the budget: unchanged when it fits, else long strings cut (marked
 * in the text itself, so an approver sees that something is missing), else only the summary.
 */
export function boundedInputJson(tool: string, input: Record<string, unknown>): string {
  const whole = JSON.stringify(input);
  if (Buffer.byteLength(whole) <= MAX_INPUT_JSON_BYTES) return whole;
  for (let max = MAX_STRING_CHARS; max >= 100; max = Math.floor(max / 4)) {
    const cut = JSON.stringify({
      ...(truncateStrings(input, max) as Record<string, unknown>),
      _hermes_truncated: `input was ${Buffer.byteLength(whole)} bytes; long strings are cut`,
    });
    if (Buffer.byteLength(cut) <= MAX_INPUT_JSON_BYTES) return cut;
  }
  return JSON.stringify({
    _hermes_truncated: `input was ${Buffer.byteLength(whole)} bytes; only a summary is shown`,
    summary: describeToolCall(tool, input),
  });
}
