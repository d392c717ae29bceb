/** Human-readable rendering of sessions for the terminal. */
import type { Session } from '../session-record.js';
import { owesErrorEvent } from '../session-record.js';

export function sessionLine(s: Session): string {
  const last = s.lastEvent ? `  last=${s.lastEvent}` : '';
  const exit = s.exitStatus !== null ? `  exit=${s.exitStatus}` : '';
  return `${s.name}  ${s.status.padEnd(10)}  ${s.profile.padEnd(12)}  job=${s.jobId}  created=${s.createdAt}${last}${exit}`;
}

export function sessionDetail(s: Session): string[] {
  const line = (k: string, v: string | number | null) => (v === null ? [] : [`${k.padEnd(12)}${v}`]);
  return [
    ...line('session', s.name),
    ...line('job', s.jobId),
    ...line('status', s.status),
    ...line('profile', s.profile),
    ...line('cwd', s.cwd),
    ...line('pane pid', s.panePid),
    ...line('created', s.createdAt),
    ...line('started', s.startedAt),
    ...line('last event', s.lastEvent === null ? null : `${s.lastEvent} at ${s.lastEventAt}`),
    ...line('job ended', s.endedAt),
    ...line('stopped', s.stoppedAt),
    ...line('exit status', s.exitStatus),
    ...line('terminated', s.terminatedAt),
    ...line('archived', s.archivedAt),
    ...line('note', s.note),
    ...(owesErrorEvent(s) ? [`${'owes'.padEnd(12)}an error event to the job: ${s.vanishDetail}`] : []),
  ];
}
