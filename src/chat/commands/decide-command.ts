/**
 * The text alternative to the buttons: `approve|deny [ID [REQUEST]] [reason…]`. Without ids it
 * answers the only request the person may answer, or lists them when there are several (the
 * console has no buttons, so this is how it decides). A word that looks like a job or request id
 * (`j-…`, `r-…`, as newId makes them) but names no request the person may answer here is refused,
 * never taken as the reason, so a stale or mistyped id cannot decide another request. Whatever is
 * decided is named back privately: job, request, tool and input.
 */
import { isoTime } from '../../clock.js';
import { describeError } from '../../errors.js';
import type { Job } from '../../jobs/job.js';
import { type PermissionRequest, permissionRequest, permissionRequestsOf } from '../../jobs/queries.js';
import { isTerminalState } from '../../jobs/states.js';
import { parseRule } from '../../policy/rule.js';
import { ownerOf } from '../access.js';
import { REASON_MAX_CHARS } from '../decision-flow.js';
import { bold, code, codeBlock, excerpt, message, section, text, truncate } from '../message.js';
import type { ChatMessage } from '../port.js';
import { statusWords } from '../render/job-card.js';
import { inputText } from '../render/permission.js';
import { say } from './replies.js';
import { takeRule } from './rule-flag.js';
import { restFrom, tokenize } from './tokenize.js';
import type { CommandContext, CommandHandler } from './types.js';

type Decision = 'approve' | 'deny';
type Target = { job: Job; req: PermissionRequest };

/** A job id or request id as newId (src/clock.ts) makes them: `j-` / `r-` and base36. */
export const ID_LIKE = /^[jr]-[0-9a-z]+$/i;

interface Parsed {
  /** The job named first, when it exists. */
  job: Job | undefined;
  /** A request of that job named second, whatever its state (decide() answers "already" / "too late"). */
  req: PermissionRequest | undefined;
  /** A request id named alone (`approve r-…`). */
  requestId: string | undefined;
  /** Index of the first word of the reason. */
  from: number;
}

function parse(ctx: CommandContext): Parsed {
  const { args, deps } = ctx;
  const first = args[0]?.value;
  const job = first ? deps.registry.get(first) : undefined;
  if (job) {
    const second = args[1]?.value;
    const req = second ? permissionRequest(deps.registry.db, job.id, second) : undefined;
    return { job, req, requestId: undefined, from: req ? 2 : 1 };
  }
  if (first && /^r-/i.test(first) && ID_LIKE.test(first))
    return { job: undefined, req: undefined, requestId: first, from: 1 };
  return { job: undefined, req: undefined, requestId: undefined, from: 0 };
}

/** The pending requests the person may answer: of `job`, or of every live job of this platform. */
function pendingFor(ctx: CommandContext, job: Job | undefined): Target[] {
  const { deps, input } = ctx;
  const jobs = job ? [job] : deps.registry.list().filter((j) => !isTerminalState(j.status));
  return jobs
    .filter((j) => !isTerminalState(j.status) && deps.access.mayAct(input.actor, j))
    .flatMap((j) => permissionRequestsOf(deps.registry.db, j.id, 'pending').map((req) => ({ job: j, req })));
}

/** Refuses, privately and audited, an id that names no request the person may answer here. */
async function refuseId(ctx: CommandContext, decision: Decision, id: string, job?: Job): Promise<void> {
  const { input, deps } = ctx;
  const what = job
    ? `${id} is not a request of ${job.id}`
    : /^j-/i.test(id)
      ? `there is no job ${id} here`
      : `no request ${id} is waiting for your answer here`;
  deps.access.record('refused', 'decide', input.actor, input.channel, {
    ...(job ? { jobId: job.id } : {}),
    ...(/^r-/i.test(id) ? { requestId: id } : {}),
    decision,
    detail: `id not resolved: ${id}`,
  });
  await input.reply(
    say(`Nothing was decided: ${what}. /hermes status <job id> shows a job's open requests.`),
  );
}

function several(decision: Decision, targets: Target[]): ChatMessage {
  return message(
    `${targets.length} requests are waiting`,
    section(
      bold(`${targets.length} requests are waiting`),
      text(`; name one: /hermes ${decision} <job id> <request id>`),
    ),
    ...targets.map(({ job, req }) =>
      section(
        code(job.id),
        text(' '),
        code(req.request_id),
        text(` ${excerpt(req.tool, 60)}`),
        text(req.detail ? `: ${excerpt(req.detail, 80)}` : ''),
      ),
    ),
  );
}

/** What was decided, named: so nobody finds out later that their answer went to another request. */
function decided(
  decision: Decision,
  { job, req }: Target,
  reason: string,
  max: number,
  grant?: { kind: 'allow' | 'deny'; rule: string },
): ChatMessage {
  const verb = decision === 'approve' ? 'Approved' : 'Denied';
  const summary = `${verb} ${req.request_id} (${excerpt(req.tool, 60)}) of ${job.id}`;
  return message(
    summary,
    section(
      bold(verb),
      text(' request '),
      code(req.request_id),
      text(' of '),
      code(job.id),
      text(`: ${excerpt(req.tool, 60)}`),
      text(req.detail ? ` (${excerpt(req.detail, 80)})` : ''),
      text(reason ? `; reason: ${reason}` : ''),
    ),
    codeBlock(truncate(inputText(req.input), Math.min(max, 500))),
    ...(grant
      ? [
          section(
            text(`${grant.kind === 'allow' ? 'Allowed' : 'Denied'} for the rest of the job: `),
            code(truncate(grant.rule, 300)),
          ),
        ]
      : []),
  );
}

/** A rule granted with no request to decide: stored, applied to the job's waiting requests, named back. */
async function grantAlone(ctx: CommandContext, job: Job, grant: { kind: 'allow' | 'deny'; rule: string }) {
  const { deps, input } = ctx;
  const row = deps.decisions.grant({
    jobId: job.id,
    ...grant,
    by: ownerOf(input.actor),
    at: isoTime(deps.clock.now()),
  });
  deps.access.record('accepted', 'decide', input.actor, input.channel, {
    jobId: job.id,
    scope: 'job',
    detail: `granted ${row.kind} rule ${row.rule}; no request decided`,
  });
  await input.reply(
    message(
      `Granted ${row.kind} ${row.rule} for ${job.id}`,
      section(
        bold(row.kind === 'allow' ? 'Allowed' : 'Denied'),
        text(' '),
        code(row.rule),
        text(` for the rest of ${job.id}; no request was waiting.`),
      ),
    ),
  );
}

export function decisionCommand(decision: Decision): CommandHandler {
  return {
    name: decision,
    usage: `${decision} [<job id> [<request id>]] [--rule '<rule>'] [reason…]`,
    summary:
      decision === 'approve'
        ? 'approve a permission request (the only open one when no id is given); --rule also allows that rule for the rest of the job'
        : 'deny a permission request, optionally saying why; --rule also denies that rule for the rest of the job',
    async run(original) {
      const taken = takeRule(original.text);
      let grant: { kind: 'allow' | 'deny'; rule: string } | undefined;
      if (taken.rule !== undefined) {
        try {
          grant = { kind: decision === 'approve' ? 'allow' : 'deny', rule: parseRule(taken.rule).raw };
        } catch (e) {
          await original.input.reply(say(`${describeError(e)}. Nothing was decided.`));
          return;
        }
      }
      const ctx = grant ? { ...original, text: taken.text, args: tokenize(taken.text) } : original;
      const { input, decisions, args } = ctx;
      const t = parse(ctx);
      if (t.job && !decisions.allowed(input, t.job, t.req?.request_id)) {
        await decisions.refuse(input, t.job);
        return;
      }
      // An id-looking word among the first two that was not resolved: never a reason.
      for (let i = t.from; i < Math.min(args.length, 2); i++) {
        const v = args[i]!.value;
        if (ID_LIKE.test(v)) {
          await refuseId(ctx, decision, v, t.job);
          return;
        }
      }
      let targets: Target[];
      if (t.job && t.req) {
        // Even when its job ended: decide() refuses, and the flow answers "too late" and audits it.
        targets = [{ job: t.job, req: t.req }];
      } else {
        targets = pendingFor(ctx, t.job);
        if (t.requestId) {
          targets = targets.filter(({ req }) => req.request_id === t.requestId);
          if (targets.length === 0) {
            await refuseId(ctx, decision, t.requestId);
            return;
          }
        }
      }
      if (targets.length === 0 && grant && t.job && !t.requestId && !isTerminalState(t.job.status)) {
        await grantAlone(ctx, t.job, grant);
        return;
      }
      if (targets.length === 0) {
        await input.reply(
          say(
            !t.job
              ? 'Nothing is waiting for your answer.'
              : isTerminalState(t.job.status)
                ? `Too late: job ${t.job.id} is over (${statusWords(t.job.status)}), so its requests are closed. Nothing was decided.`
                : `${t.job.id} has no request waiting for an answer.`,
          ),
        );
        return;
      }
      if (targets.length > 1) {
        await input.reply(several(decision, targets));
        return;
      }
      const target = targets[0]!;
      const reason = restFrom(ctx.text, args, t.from).slice(0, REASON_MAX_CHARS);
      const ok = await decisions.decide(input, {
        jobId: target.job.id,
        requestId: target.req.request_id,
        decision,
        ...(reason ? { reason } : {}),
        ...(grant ? { grant } : {}),
      });
      if (ok) await input.reply(decided(decision, target, reason, ctx.deps.settings.maxTextChars, grant));
    },
  };
}
