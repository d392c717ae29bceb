/**
 * Scripted agents for the reliability suite. Each is a small sh script the runner runs under
 * `hermes run` like any agent; it reports with `hermes publish` (through the runner's relay) and
 * waits at gate files the test opens, so a test decides when each part of the job happens and can
 * break things while the job is provably still in the middle.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const gateDir = (runnerHome: string) => join(runnerHome, 'gates');

/**
 * Profile `stream`: the prompt is `NxC`. The agent publishes C chunks of N progress events
 * (`chunk k step i`); before chunk k > 1 it waits for gate `k`, after the last for gate `end`,
 * then exits 0 (`hermes run` publishes `completed`). A job of it has 1 + N*C + 1 events. After
 * each chunk it leaves a mark `sent-k`: every event of the chunk was handed over (`hermes publish`
 * exited 0: in the runner's outbox, or acknowledged by the broker).
 */
export function streamProfile(runnerHome: string): Record<string, unknown> {
  mkdirSync(gateDir(runnerHome), { recursive: true });
  const script = join(runnerHome, 'stream-agent.sh');
  const gate = (name: string) => `"${gateDir(runnerHome)}/$HERMES_JOB_ID.${name}"`;
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'n=$(echo "$1" | cut -d x -f 1)',
      'c=$(echo "$1" | cut -d x -f 2)',
      'k=1',
      'while [ "$k" -le "$c" ]; do',
      `  if [ "$k" -gt 1 ]; then while [ ! -e ${gate('$k')} ]; do sleep 0.05; done; fi`,
      '  i=1',
      '  while [ "$i" -le "$n" ]; do',
      '    hermes publish --event progress --detail "chunk $k step $i" || exit 9',
      '    i=$((i + 1))',
      '  done',
      `  : > ${gate('sent-$k')}`,
      '  k=$((k + 1))',
      'done',
      `while [ ! -e ${gate('end')} ]; do sleep 0.05; done`,
      'exit 0',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return { argv: ['sh', script, '{prompt}'], description: 'publishes chunks of progress events at gates' };
}

/** Opens one of the job's gates (`2`, `3`, … or `end`). */
export function openGate(runnerHome: string, jobId: string, name: string): void {
  writeFileSync(join(gateDir(runnerHome), `${jobId}.${name}`), '');
}

/** Whether the agent has handed over every event of chunk k. */
export function chunkSent(runnerHome: string, jobId: string, k: number): boolean {
  return existsSync(join(gateDir(runnerHome), `${jobId}.sent-${k}`));
}
