/**
 * The RunnerControl a chat adapter uses when the bot has no runner dispatcher wired in: cancel
 * still ends the job in the registry (so `/hermes cancel` is never a silent no-op), peek explains
 * that no runner is connected.
 */
import { noRunners, type RunnerControl } from '../bot/runner-control.js';
import type { JobRegistry } from '../jobs/registry.js';
import { isTerminalState } from '../jobs/states.js';

export function registryOnlyRunners(registry: JobRegistry): RunnerControl {
  return {
    ...noRunners,
    async cancel(jobId, by) {
      const job = registry.require(jobId);
      if (!isTerminalState(job.status)) registry.cancel(jobId, `cancelled by ${by}`);
    },
  };
}
