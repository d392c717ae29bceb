/**
 * Reading Claude Code's print-mode output (`--output-format json`, or
 * `stream-json --verbose`: one JSON object per line; samples in
 * ../shared/fixtures/claude-cli/). `hermes run` pipes the agent's stdout
 * through this for profiles with `output: claude`: it learns the session id,
 * the turn's tokens, cost and final text, and writes a readable rendition to
 * the pane instead of raw JSON (what `/hermes peek` shows). Lines that are not
 * JSON pass through unchanged; unknown fields and line types are ignored.
 * Checked by hand, not with zod (start-up time, see agent-env.ts).
 */
import { type Tokens, type Usage, ZERO_USAGE } from '../../src/jobs/usage.js';
import { OutputLines } from './output-lines.js';

/** What one turn reported. `usage` is undefined when no result line came (the agent died). */
export interface TurnReport {
  sessionId: string | undefined;
  usage: Usage | undefined;
  /** The agent's final text (`result`). */
  result: string | undefined;
  /** `is_error` of the result line, or a subtype other than success. */
  isError: boolean;
  subtype: string | undefined;
  /** Tokens of the assistant messages seen so far (stream-json), before the result line. */
  running: Tokens;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Claude's usage object in Hermes' names. */
function tokensOf(u: unknown): Tokens {
  const o = isObj(u) ? u : {};
  return {
    input_tokens: num(o.input_tokens),
    output_tokens: num(o.output_tokens),
    cache_read_tokens: num(o.cache_read_input_tokens),
    cache_write_tokens: num(o.cache_creation_input_tokens),
  };
}

/** What `hermes run` needs of a reader of an agent's output (this one, codex-output.ts). */
export interface OutputReader {
  /** Takes a chunk of stdout; returns the text to show for the complete lines in it. */
  push(chunk: string): string;
  /** The end of the output: the last line without a newline, if any. */
  end(): string;
  turn(): TurnReport;
  /** How many times the running token counts changed so far. */
  readonly tokenUpdates: number;
}

export class ClaudeOutput implements OutputReader {
  private readonly lines = new OutputLines((raw) => this.line(raw));
  /** Message ids whose usage is counted (Claude repeats a message's usage on each content block, and sub-agents interleave). */
  private readonly countedMessages = new Set<string>();
  /** Bumped each time the running counts change, so a reader can tell without comparing them. */
  private runningVersion = 0;
  private readonly report: TurnReport = {
    sessionId: undefined,
    usage: undefined,
    result: undefined,
    isError: false,
    subtype: undefined,
    running: { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 },
  };

  /** Takes a chunk of stdout; returns the text to show for the complete lines in it. */
  push(chunk: string): string {
    return this.lines.push(chunk);
  }

  /** The end of the output: the last line without a newline, if any. */
  end(): string {
    return this.lines.end();
  }

  /** How many times the running token counts changed so far. */
  get tokenUpdates(): number {
    return this.runningVersion;
  }

  turn(): TurnReport {
    return { ...this.report, running: { ...this.report.running } };
  }

  private line(raw: string): string {
    const t = raw.trim();
    if (!t.startsWith('{')) return `${raw}\n`;
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch {
      return `${raw}\n`;
    }
    if (!isObj(v) || typeof v.type !== 'string') return `${raw}\n`;
    const sid = str(v.session_id);
    if (sid) this.report.sessionId = sid;
    switch (v.type) {
      case 'system':
        return v.subtype === 'init' && sid ? `[claude session ${sid}]\n` : '';
      case 'assistant':
        return this.assistant(v.message);
      case 'result':
        return this.result(v);
      default:
        return '';
    }
  }

  private assistant(message: unknown): string {
    if (!isObj(message)) return '';
    const id = str(message.id);
    if (isObj(message.usage) && (id === undefined || !this.countedMessages.has(id))) {
      if (id !== undefined) this.countedMessages.add(id);
      const t = tokensOf(message.usage);
      const r = this.report.running;
      r.input_tokens += t.input_tokens;
      r.output_tokens += t.output_tokens;
      r.cache_read_tokens += t.cache_read_tokens;
      r.cache_write_tokens += t.cache_write_tokens;
      this.runningVersion++;
    }
    const parts = Array.isArray(message.content) ? message.content : [];
    let out = '';
    for (const p of parts) {
      if (!isObj(p)) continue;
      if (p.type === 'text' && typeof p.text === 'string') out += `${p.text}\n`;
      else if (p.type === 'tool_use' && typeof p.name === 'string') out += `→ ${p.name}\n`;
    }
    return out;
  }

  private result(v: Obj): string {
    const r = this.report;
    r.subtype = str(v.subtype);
    r.isError = v.is_error === true || (r.subtype !== undefined && r.subtype !== 'success');
    r.result = typeof v.result === 'string' ? v.result : undefined;
    r.usage = {
      ...ZERO_USAGE,
      ...tokensOf(v.usage),
      cost_usd: num(v.total_cost_usd),
      agent_turns: num(v.num_turns),
      turns: 1,
    };
    const head = `[turn ended: ${r.subtype ?? 'result'}, $${r.usage.cost_usd}]`;
    return r.result ? `${r.result}\n${head}\n` : `${head}\n`;
  }
}
