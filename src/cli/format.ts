/** Human-readable rendering of jobs for the terminal. */
import type { Job } from '../jobs/job.js';

export function jobLine(j: Job): string {
  const auth = j.auth === 'none' ? '  [UNSIGNED: --no-auth]' : '';
  const prompt = j.prompt.length > 60 ? `${j.prompt.slice(0, 57)}...` : j.prompt;
  return `${j.id}  ${j.status.padEnd(10)}  ${j.profile.padEnd(12)}  runner=${j.runner}  ${JSON.stringify(prompt)}${auth}`;
}

export function jobDetail(j: Job): string[] {
  return [
    `job       ${j.id}`,
    `status    ${j.status}${j.statusReason ? ` (${j.statusReason})` : ''}`,
    `profile   ${j.profile}`,
    `runner    ${j.runner}`,
    `owner     ${j.owner}`,
    `auth      ${j.auth === 'token' ? 'token (signed events required)' : 'none (UNSIGNED: events are accepted unverified)'}`,
    `prompt    ${j.prompt}`,
    ...(j.cwd ? [`cwd       ${j.cwd}`] : []),
    ...(j.maxCostUsd !== null ? [`budget    $${j.maxCostUsd}`] : []),
    ...(j.repo ? [`repo      ${j.repo}`] : []),
    `created   ${j.createdAt}`,
    ...(j.startedAt ? [`started   ${j.startedAt}`] : []),
    ...(j.endedAt ? [`ended     ${j.endedAt}`] : []),
  ];
}
