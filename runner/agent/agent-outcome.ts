/** What a person reads about an agent's exit, and the status `hermes run` exits with. */
import { constants } from 'node:os';
import { basename } from 'node:path';
import type { AgentOutcome } from './agent-turn.js';

export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;

export function exitStatusOf(o: AgentOutcome): number {
  if (o.kind === 'exit') return o.code;
  if (o.kind === 'signal') return 128 + (constants.signals[o.signal] ?? 0);
  return o.error.code === 'EACCES' ? EXIT_NOT_EXECUTABLE : EXIT_NOT_FOUND;
}

/** How events name the agent: `demo agent` when the runner set HERMES_PROFILE, else the program. */
export const agentName = (program: string, profile: string | undefined): string =>
  profile ? `${profile} agent` : basename(program);

/** The terminal event for an outcome: what a person reads in the chat. */
export function terminalEventFor(
  program: string,
  o: AgentOutcome,
  name: string = basename(program),
  /** The agent's last stderr line: why it failed, in its own words. */
  lastErrorLine?: string,
) {
  // `demo agent: permission denied` after `demo agent exited with status 1` needs no second name.
  const line = lastErrorLine?.startsWith(`${name}: `) ? lastErrorLine.slice(name.length + 2) : lastErrorLine;
  const said = line ? `: ${line}` : '';
  const saidData = lastErrorLine ? { last_error_line: lastErrorLine } : {};
  if (o.kind === 'exit' && o.code === 0) {
    return { event: 'completed' as const, detail: `${name} exited with status 0`, data: { exit_code: 0 } };
  }
  if (o.kind === 'exit') {
    return {
      event: 'error' as const,
      detail: `${name} exited with status ${o.code}${said}`,
      data: { exit_code: o.code, ...saidData },
    };
  }
  if (o.kind === 'signal') {
    return {
      event: 'error' as const,
      detail: `${name} was killed by signal ${o.signal}${said}`,
      data: { exit_code: exitStatusOf(o), signal: o.signal, ...saidData },
    };
  }
  const why =
    o.error.code === 'ENOENT'
      ? 'not found (check the profile argv and PATH)'
      : o.error.code === 'EACCES'
        ? 'not executable'
        : o.error.message;
  return {
    event: 'error' as const,
    detail: `cannot run ${program}: ${why}${o.error.code ? ` (${o.error.code})` : ''}`,
    data: { exit_code: exitStatusOf(o) },
  };
}
