/** The session record as the rest of Hermes sees it, and its stable JSON / YAML shape. */
import type { SessionState } from './session-states.js';

export interface Session {
  name: string;
  jobId: string;
  profile: string;
  status: SessionState;
  createdAt: string;
  startedAt: string | null;
  /** When the job's terminal event was seen (or the runner reported its end). */
  endedAt: string | null;
  stoppedAt: string | null;
  terminatedAt: string | null;
  archivedAt: string | null;
  exitStatus: number | null;
  lastEvent: string | null;
  lastEventAt: string | null;
  cwd: string | null;
  panePid: number | null;
  note: string | null;
  /** Detail of an error event the runner still owes the job (null: none owed). */
  vanishDetail: string | null;
  vanishReportedAt: string | null;
}

export interface SessionRow {
  name: string;
  job_id: string;
  profile: string;
  status: SessionState;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  stopped_at: string | null;
  terminated_at: string | null;
  archived_at: string | null;
  exit_status: number | null;
  last_event: string | null;
  last_event_at: string | null;
  cwd: string | null;
  pane_pid: number | null;
  note: string | null;
  vanish_detail: string | null;
  vanish_reported_at: string | null;
}

export function sessionFromRow(r: SessionRow): Session {
  return {
    name: r.name,
    jobId: r.job_id,
    profile: r.profile,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    stoppedAt: r.stopped_at,
    terminatedAt: r.terminated_at,
    archivedAt: r.archived_at,
    exitStatus: r.exit_status,
    lastEvent: r.last_event,
    lastEventAt: r.last_event_at,
    cwd: r.cwd,
    panePid: r.pane_pid,
    note: r.note,
    vanishDetail: r.vanish_detail,
    vanishReportedAt: r.vanish_reported_at,
  };
}

/** An error event is owed and not yet published, and the job has not ended some other way. */
export const owesErrorEvent = (s: Session): boolean =>
  s.vanishDetail !== null && s.vanishReportedAt === null && s.endedAt === null;

/**
 * The shape printed by `--json` and written to agent-sessions.yaml. Field
 * order is fixed here (readers diff the file); every field is present, null
 * when unknown.
 */
export function sessionToJson(s: Session) {
  return {
    name: s.name,
    job_id: s.jobId,
    profile: s.profile,
    status: s.status,
    created_at: s.createdAt,
    started_at: s.startedAt,
    ended_at: s.endedAt,
    stopped_at: s.stoppedAt,
    terminated_at: s.terminatedAt,
    archived_at: s.archivedAt,
    exit_status: s.exitStatus,
    last_event: s.lastEvent,
    last_event_at: s.lastEventAt,
    cwd: s.cwd,
    pane_pid: s.panePid,
    note: s.note,
    error_owed: owesErrorEvent(s),
  };
}
