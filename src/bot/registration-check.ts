/**
 * What a registration is checked against before anything is posted or stored: the runner must be
 * paired with this bot (a job for an unknown runner would wait "for a runner" forever), offer the
 * profile, and let jobs choose a folder when --cwd is given (its status says so). Chat refuses on
 * these; the CLI, whose jobs may also be claimed by other workers (`hermes jobs claim`), only warns
 * about the pairing.
 */
import { HermesError } from '../errors.js';
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
  return `runner "${id}" is not paired with this bot (${pairedList(runners)})`;
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
    throw new HermesError(
      'usage',
      `runner ${runner.id} has no profile "${reg.profile}" (it has: ${runner.profiles.join(', ')})`,
    );
  }
  if (reg.cwd && runner.acceptsCwd === false) {
    throw new HermesError('usage', `runner ${runner.id} lets no job choose its working directory (--cwd)`, {
      hint: `leave out --cwd, or set runner.cwd_roots on ${runner.id} to the folders jobs may use`,
    });
  }
}
