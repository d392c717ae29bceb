/**
 * zod schemas of the v1 wire envelopes (see docs/protocol.md).
 *
 * Every envelope is `{schema_version: 1, job_id, seq, event, timestamp,
 * detail?, data}`; data carries `hmac_sig`. Unknown top-level keys are kept
 * and covered by the signature, so a newer Python sender is not refused.
 */
import { z } from 'zod';
import { HermesError } from '../errors.js';
import { ID_RE } from './topics.js';

export const SCHEMA_VERSION = 1;

export const EVENT_TYPES = ['started', 'progress', 'permission_required', 'completed', 'error'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const TERMINAL_EVENTS: readonly EventType[] = ['completed', 'error'];
export const isTerminalEvent = (e: string): boolean => e === 'completed' || e === 'error';

const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
/** The same with the offset optional: Python's `datetime.utcnow().isoformat()` writes none. */
const AGENT_TIME_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?$/;
const OFFSET_RE = /(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** False for a naive time (no `Z`, no `+hh:mm`); the relay's relay.naive_timestamps decides what that means. */
export const hasUtcOffset = (s: string): boolean => OFFSET_RE.test(s);
/** An agent time as UTC text: a naive one gets `Z` (Date.parse would read it as local time). */
export const asUtc = (s: string): string => (hasUtcOffset(s) ? s : `${s}Z`);

export const Id = z.string().regex(ID_RE, 'must be 1-128 characters of A-Z a-z 0-9 . _ : - (no / + #)');
export const Timestamp = z
  .string()
  .regex(RFC3339_RE, 'must be an RFC 3339 timestamp like 2026-06-21T10:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'is not a real date and time');
export const Seq = z
  .number()
  .int('must be an integer')
  .nonnegative('must not be negative')
  .refine(Number.isSafeInteger, 'must be below 2^53');
const Sig = z.string().optional();
/** Agent events (the Python fleet's): the offset may be missing, checked by the relay's policy. */
export const AgentTimestamp = z
  .string()
  .regex(AGENT_TIME_RE, 'must be an RFC 3339 timestamp like 2026-06-21T10:00:00Z')
  .refine((s) => !Number.isNaN(Date.parse(asUtc(s))), 'is not a real date and time');

const envelopeBase = {
  schema_version: z.literal(SCHEMA_VERSION, { error: 'must be 1' }),
  job_id: Id,
  seq: Seq,
  timestamp: Timestamp,
  detail: z.string().optional(),
};

const PermissionData = z.looseObject({
  request_id: Id,
  tool: z.string().min(1, 'must name the tool'),
  input: z.unknown(),
  expires_at: AgentTimestamp.optional(),
  hmac_sig: Sig,
});

export const EventEnvelope = z
  .looseObject({
    ...envelopeBase,
    timestamp: AgentTimestamp,
    // Python's None: the same as no detail.
    detail: z
      .string()
      .nullish()
      .transform((d) => d ?? undefined),
    event: z.enum(EVENT_TYPES),
    data: z.looseObject({ hmac_sig: Sig }),
  })
  .superRefine((ev, ctx) => {
    if (ev.event !== 'permission_required') return;
    const r = PermissionData.safeParse(ev.data);
    if (!r.success) {
      for (const issue of r.error.issues) ctx.addIssue({ ...issue, path: ['data', ...issue.path] } as never);
    }
  });
export type EventEnvelope = z.infer<typeof EventEnvelope>;

export const DECISIONS = ['approve', 'deny'] as const;
export type Decision = (typeof DECISIONS)[number];

export const DecisionEnvelope = z.looseObject({
  ...envelopeBase,
  event: z.literal('decision'),
  data: z.looseObject({
    request_id: Id,
    decision: z.enum(DECISIONS),
    decided_by: z.string().min(1),
    reason: z.string().optional(),
    hmac_sig: Sig,
  }),
});
export type DecisionEnvelope = z.infer<typeof DecisionEnvelope>;

/** Sealed secret: AES-256-GCM, base64url parts. */
export const Sealed = z.object({ iv: z.string(), ciphertext: z.string(), tag: z.string() });
export type Sealed = z.infer<typeof Sealed>;

/** resend: publish a job's events from..to again from the runner's outbox (the bot saw a gap). */
export const RUNNER_COMMANDS = ['start', 'cancel', 'peek', 'followup', 'diff', 'resend'] as const;

/** Longest follow-up text a runner accepts (one chat message is shorter). */
export const MAX_FOLLOWUP_CHARS = 8000;
export type RunnerCommandName = (typeof RUNNER_COMMANDS)[number];

/** bot -> runner, signed with the runner key; seq is the bot's per-runner counter. */
export const RunnerCommandEnvelope = z.looseObject({
  ...envelopeBase,
  runner_id: Id,
  event: z.enum(RUNNER_COMMANDS),
  data: z.looseObject({
    profile: z.string().optional(),
    prompt: z.string().optional(),
    cwd: z.string().optional(),
    /** start: the runner.repos entry the job's worktree is made from. */
    repo: z.string().optional(),
    auth: z.enum(['token', 'none']).optional(),
    sealed_token: Sealed.optional(),
    request_id: Id.optional(),
    lines: z.number().int().positive().max(10_000).optional(),
    /** start: the bot's org-wide approval rules (checked as rules by the runner). */
    approvals: z
      .strictObject({
        deny: z.array(z.string()).max(500).optional(),
        ask: z.array(z.string()).max(500).optional(),
        allow: z.array(z.string()).max(500).optional(),
      })
      .optional(),
    /** start: the job's own budget (US dollars). */
    max_cost_usd: z.number().positive().optional(),
    /** followup: a reply for the agent, or `done` to end an idle job. */
    followup: z.enum(['reply', 'done']).optional(),
    text: z.string().max(MAX_FOLLOWUP_CHARS, `must be at most ${MAX_FOLLOWUP_CHARS} characters`).optional(),
    by: z.string().max(200).optional(),
    hmac_sig: Sig,
  }),
});
export type RunnerCommandEnvelope = z.infer<typeof RunnerCommandEnvelope>;

/** runner -> bot on `{p}/runners/{id}/results`, signed with the runner key; seq is the runner's counter. */
export const RunnerResultEnvelope = z.looseObject({
  ...envelopeBase,
  runner_id: Id,
  event: z.literal('result'),
  data: z.looseObject({
    command: z.enum(RUNNER_COMMANDS),
    command_seq: Seq,
    status: z.enum(['accepted', 'rejected', 'done']),
    reason: z.string().optional(),
    output: z.string().optional(),
    request_id: Id.optional(),
    /** diff: the unified diff, possibly cut to fit; patch_bytes is its whole size. */
    patch: z.string().optional(),
    patch_bytes: z.number().int().nonnegative().optional(),
    hmac_sig: Sig,
  }),
});
export type RunnerResultEnvelope = z.infer<typeof RunnerResultEnvelope>;

/**
 * `data.policy` of an accepted `start` result: the job's static approval rules as the runner put
 * them in the job's policy file (src/policy/job-policy-file.ts), so the bot can list them from the
 * job's start. `hardline`: ids of the built-in hardline denies in force; `rules`: the runner's
 * hardline additions, the bot's `approvals` and the profile's `policy`, in order; `omitted`: rules
 * left out to fit the message. Read apart from the envelope (a bad one never drops the result).
 */
export const StartPolicyData = z.strictObject({
  hardline: z.array(z.string().min(1).max(100)).max(100),
  rules: z
    .array(
      z.strictObject({
        rule: z.string().min(1).max(4000),
        kind: z.enum(['deny', 'ask', 'allow']),
        origin: z.enum(['hardline', 'bot', 'profile']),
      }),
    )
    .max(5000),
  omitted: z.number().int().nonnegative().optional(),
});
export type StartPolicyData = z.infer<typeof StartPolicyData>;

/** runner -> bot, retained, with a pre-signed last will saying offline. job_id is the runner id. */
export const RunnerStatusEnvelope = z.looseObject({
  ...envelopeBase,
  runner_id: Id,
  event: z.literal('status'),
  data: z.looseObject({
    state: z.enum(['online', 'offline']),
    profiles: z.array(z.string()).optional(),
    hmac_sig: Sig,
  }),
});
export type RunnerStatusEnvelope = z.infer<typeof RunnerStatusEnvelope>;

/** "data.request_id: must be ..." for each issue, so a person knows which field to fix. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.join('.') : '(envelope)'}: ${i.message}`)
    .join('; ');
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new HermesError('schema', `${what}: ${formatIssues(r.error)}`);
  return r.data;
}
