/**
 * Runs once before the whole suite. Missing system tools do not fail a developer's run (tests that
 * need them skip, MQTT tests fall back to the embedded broker), but the gap must be impossible to
 * miss, and CI (HERMES_REQUIRE_SYSTEM_DEPS=1) must fail instead.
 */
import { hasMosquitto, hasPython, hasTmux, requireSystemDeps } from './system.js';

interface Tool {
  name: string;
  present: boolean;
  consequence: string;
}

export default async function globalSetup(): Promise<void> {
  const tools: Tool[] = [
    {
      name: 'mosquitto',
      present: hasMosquitto(),
      consequence: 'MQTT tests run on the embedded aedes broker only; Mosquitto contract runs are SKIPPED',
    },
    { name: 'tmux', present: hasTmux(), consequence: 'runner / tmux integration tests are SKIPPED' },
    {
      name: 'python3',
      present: hasPython(),
      consequence: 'cross-checks against the Python fleet (signing, old publisher) are SKIPPED',
    },
  ];
  const missing = tools.filter((t) => !t.present);
  if (missing.length === 0) return;

  const bar = '!'.repeat(78);
  const lines = [
    '',
    bar,
    `!! MISSING SYSTEM TOOLS: ${missing.map((t) => t.name).join(', ')}`,
    ...missing.map((t) => `!!   ${t.name}: ${t.consequence}`),
    '!! Install them (Debian: apt-get install mosquitto tmux python3) for a full run.',
    requireSystemDeps()
      ? '!! HERMES_REQUIRE_SYSTEM_DEPS=1: FAILING THE RUN.'
      : '!! Set HERMES_REQUIRE_SYSTEM_DEPS=1 to make this an error (CI does).',
    bar,
    '',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  if (requireSystemDeps()) {
    throw new Error(
      `HERMES_REQUIRE_SYSTEM_DEPS=1 but these are missing: ${missing.map((t) => t.name).join(', ')}`,
    );
  }
}
