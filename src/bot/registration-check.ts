/**
 * What a registration is checked against before anything is posted or stored: the runner must be
 * paired with this bot (a job for an unknown runner would wait "for a runner" forever), offer the
 * profile, and let jobs choose a folder when --cwd is given (its status says so). Chat refuses on
 * these; the CLI, whose jobs may also be claimed by other workers (`hermes jobs claim`), only warns
 * about the pairing.
 */
import { HermesError } from '../errors.js';
import { closest } from '../suggest.js';
import type { RunnerInfo } from './runner-control.js';

export interface RegistrationTarget {
  profile: string;
  runner?: string | undefined;
  cwd?: string | null | undefined;
}

export const DEFAULT_RUNNER = 'local';

function pairedList(runners: readonly RunnerInfo[]): string {
  return runners.length === 0
    ? 'no runner is paired with this bot yet'
    : `paired: ${runners.map((r) => r.id).join(', ')}`;
}

/** The runner's problem with this registration, as a sentence; undefined when it is fine. */
export function unpairedRunner(runners: readonly RunnerInfo[], reg: RegistrationTarget): string | undefined {
  const id = reg.runner ?? DEFAULT_RUNNER;
  if (runners.some((r) => r.id === id)) return undefined;
  const near = closest(
    id,
    runners.map((r) => r.id),
  );
  return `runner "${id}" is not paired with this bot (${pairedList(runners)})${near ? `; did you mean ${near}?` : ''}`;
}

/**
 * A note for a registration its runner cannot start yet (offline, or never heard from since it was
 * paired): the job is kept and starts when the runner is back, and the person should know that
 * instead of watching a card that says nothing.
 */
export function runnerAbsence(runners: readonly RunnerInfo[], reg: RegistrationTarget): string | undefined {
  const runner = runners.find((r) => r.id === (reg.runner ?? DEFAULT_RUNNER));
  if (!runner || runner.state === 'online') return undefined;
  const seen = runner.lastSeen ? `, last seen ${runner.lastSeen}` : '';
  const state = runner.state === 'offline' ? `is offline${seen}` : `has not reported to this bot yet${seen}`;
  return `runner ${runner.id} ${state}: the job waits and starts when the runner is back`;
}

/** Refuses a registration its runner would refuse (profile, --cwd) or could never receive (unpaired). */
export function checkRegistration(runners: readonly RunnerInfo[], reg: RegistrationTarget): void {
  const unpaired = unpairedRunner(runners, reg);
  if (unpaired) {
    throw new HermesError('usage', unpaired, {
      hint: 'choose one with --runner, or pair it with `hermes runners add`',
    });
  }
  const runner = runners.find((r) => r.id === (reg.runner ?? DEFAULT_RUNNER))!;
  if (runner.profiles.length > 0 && !runner.profiles.includes(reg.profile)) {
    const near = closest(reg.profile, runner.profiles);
    throw new HermesError(
      'usage',
      `runner ${runner.id} has no profile "${reg.profile}" (it has: ${runner.profiles.join(', ')})${near ? `; did you mean ${near}?` : ''}`,
    );
  }
  if (reg.cwd && runner.acceptsCwd === false) {
    throw new HermesError('usage', `runner ${runner.id} lets no job choose its working directory (--cwd)`, {
      hint: `leave out --cwd, or set runner.cwd_roots on ${runner.id} to the folders jobs may use`,
    });
  }
}
