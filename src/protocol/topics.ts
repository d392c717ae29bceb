/** Every MQTT topic Hermes uses, in one place. */
export const DEFAULT_TOPIC_PREFIX = 'hermes';

/** Ids become topic levels: no wildcards, separators or control characters. */
export const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * What a new id (runner, job, request) may be: ID_RE without `.`, which RabbitMQ turns into a
 * second topic level and NATS refuses (closing the connection). Ids made before keep working.
 */
export const NEW_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_:-]{0,127}$/;
export const NEW_ID_RULE =
  'must be 1-128 characters of A-Z a-z 0-9 _ : - starting with a letter or digit (no ".": RabbitMQ and NATS split topic levels there)';

export const topics = {
  jobEvents: (p: string, jobId: string) => `${p}/jobs/${jobId}/events`,
  allJobEvents: (p: string) => `${p}/jobs/+/events`,
  decision: (p: string, jobId: string, requestId: string) => `${p}/jobs/${jobId}/decisions/${requestId}`,
  jobDecisions: (p: string, jobId: string) => `${p}/jobs/${jobId}/decisions/+`,
  runnerCommands: (p: string, runnerId: string) => `${p}/runners/${runnerId}/commands`,
  runnerResults: (p: string, runnerId: string) => `${p}/runners/${runnerId}/results`,
  allRunnerResults: (p: string) => `${p}/runners/+/results`,
  runnerStatus: (p: string, runnerId: string) => `${p}/runners/${runnerId}/status`,
  allRunnerStatus: (p: string) => `${p}/runners/+/status`,
} as const;

/** `{p}/jobs/{id}/events` -> id, or undefined for any other topic. */
export function jobIdFromEventsTopic(prefix: string, topic: string): string | undefined {
  const head = `${prefix}/jobs/`;
  if (!topic.startsWith(head) || !topic.endsWith('/events')) return undefined;
  const id = topic.slice(head.length, -'/events'.length);
  return ID_RE.test(id) ? id : undefined;
}

/**
 * `{p}/jobs/{level}/events` -> level as it is, valid id or not (`not valid`, ``): the relay checks
 * it against the payload's job_id and drops a mismatch as `schema`. Undefined for any other topic.
 */
export function jobLevelOfEventsTopic(prefix: string, topic: string): string | undefined {
  const head = `${prefix}/jobs/`;
  if (!topic.startsWith(head) || !topic.endsWith('/events') || topic.length < head.length + 7)
    return undefined;
  return topic.slice(head.length, -'/events'.length);
}

export function runnerIdFromTopic(prefix: string, topic: string, leaf: 'status' | 'results' | 'commands') {
  const head = `${prefix}/runners/`;
  if (!topic.startsWith(head) || !topic.endsWith(`/${leaf}`)) return undefined;
  const id = topic.slice(head.length, -(leaf.length + 1));
  return ID_RE.test(id) ? id : undefined;
}
