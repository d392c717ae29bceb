/**
 * Reading `codex exec --json` output (Codex's docs/exec.md; a sample in
 * test/fixtures/codex-cli/): one JSON object per line, `thread.started` with
 * the `thread_id` (what `codex exec resume` takes), `item.*` lines (the last
 * `agent_message` item is the turn's final text), `turn.completed` with
 * `usage` (input_tokens, cached_input_tokens, output_tokens) or `turn.failed`
 * / `error`. Codex reports no dollars: a turn's cost is 0. Its input_tokens
 * include the cached ones (OpenAI's usage convention); Hermes counts input
 * without the cache, as Claude reports it, so the cached part moves to
 * cache_read_tokens. Same interface as ClaudeOutput; unknown lines ignored,
 * non-JSON lines shown as they are. Checked by hand (start-up time).
 */
import { ZERO_USAGE } from '../../src/jobs/usage.js';
import type { OutputReader, TurnReport } from './claude-output.js';
import { OutputLines } from './output-lines.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export class CodexOutput implements OutputReader {
  private readonly lines = new OutputLines((raw) => this.line(raw));
  private turns = 0;
  private readonly report: TurnReport = {
    sessionId: undefined,
    usage: undefined,
    result: undefined,
    isError: false,
    subtype: undefined,
    running: { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 },
  };

  /** Codex reports tokens only when its turn completes: nothing runs in between. */
  readonly tokenUpdates = 0;

  /** Takes a chunk of stdout; returns the text to show for the complete lines in it. */
  push(chunk: string): string {
    return this.lines.push(chunk);
  }

  /** The end of the output: the last line without a newline, if any. */
  end(): string {
    return this.lines.end();
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
    switch (v.type) {
      case 'thread.started': {
        const id = str(v.thread_id);
        if (!id) return '';
        this.report.sessionId = id;
        return `[codex session ${id}]\n`;
      }
      case 'item.started':
      case 'item.completed':
        return this.item(v.type, v.item);
      case 'turn.completed':
        return this.completed(v.usage);
      case 'turn.failed':
      case 'error':
        return this.failed(v.type, isObj(v.error) ? v.error.message : v.message);
      default:
        return '';
    }
  }

  private item(kind: string, item: unknown): string {
    if (!isObj(item)) return '';
    if (item.type === 'agent_message' && kind === 'item.completed' && typeof item.text === 'string') {
      this.report.result = item.text;
      return `${item.text}\n`;
    }
    if (item.type === 'command_execution' && kind === 'item.started' && typeof item.command === 'string') {
      return `$ ${item.command}\n`;
    }
    return '';
  }

  private completed(usage: unknown): string {
    const u = isObj(usage) ? usage : {};
    const cached = num(u.cached_input_tokens);
    const prev = this.report.usage ?? { ...ZERO_USAGE, turns: 1 };
    this.turns++;
    this.report.usage = {
      ...prev,
      input_tokens: prev.input_tokens + Math.max(0, num(u.input_tokens) - cached),
      cache_read_tokens: prev.cache_read_tokens + cached,
      output_tokens: prev.output_tokens + num(u.output_tokens),
      agent_turns: this.turns,
      turns: 1,
    };
    return `[turn ended: ${num(u.input_tokens)} in / ${num(u.output_tokens)} out tokens]\n`;
  }

  private failed(kind: string, message: unknown): string {
    const r = this.report;
    r.isError = true;
    r.subtype = kind === 'error' ? 'error' : 'turn_failed';
    const m = typeof message === 'string' ? message : undefined;
    if (m) r.result = m;
    return `[${kind}${m ? `: ${m}` : ''}]\n`;
  }
}
