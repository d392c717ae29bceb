/**
 * The text alternative to the buttons: `approve|deny [ID [REQUEST]] [reason…]`. Without ids it
 * answers the only request the person may answer, or lists them when there are several (the
 * console has no buttons, so this is how it decides).
 */
import { HermesError } from '../../errors.js';
import type { Job } from '../../jobs/job.js';
import { type PermissionRequest, permissionRequest, permissionRequestsOf } from '../../jobs/queries.js';
import { isTerminalState } from '../../jobs/states.js';
import { REASON_MAX_CHARS } from '../decision-flow.js';
import { bold, code, excerpt, message, section, text } from '../message.js';
import { statusWords } from '../render/job-card.js';
import { say } from './replies.js';
import { restFrom } from './tokenize.js';
import type { CommandContext, CommandHandler } from './types.js';

interface Target {
  job: Job | undefined;
  requestId: string | undefined;
  reason: string;
}

function parse(ctx: CommandContext): Target {
  const { args, deps, text: raw } = ctx;
  let i = 0;
  const job = args[0] ? deps.registry.get(args[0].value) : undefined;
  if (job) i = 1;
  let requestId: string | undefined;
  if (job && args[1] && permissionRequest(deps.registry.db, job.id, args[1].value)) {
    requestId = args[1].value;
    i = 2;
  }
  return { job, requestId, reason: restFrom(raw, args, i).slice(0, REASON_MAX_CHARS) };
}

function pendingFor(ctx: CommandContext, job: Job | undefined): Array<{ job: Job; req: PermissionRequest }> {
  const { deps, input } = ctx;
  const jobs = job ? [job] : deps.registry.list().filter((j) => !isTerminalState(j.status));
  return jobs
    .filter((j) => !isTerminalState(j.status) && deps.access.mayAct(input.actor, j))
    .flatMap((j) => permissionRequestsOf(deps.registry.db, j.id, 'pending').map((req) => ({ job: j, req })));
}

export function decisionCommand(decision: 'approve' | 'deny'): CommandHandler {
  return {
    name: decision,
    usage: `${decision} [<job id> [<request id>]] [reason…]`,
    summary:
      decision === 'approve'
        ? 'approve a permission request (the only open one when no id is given)'
        : 'deny a permission request, optionally saying why',
    async run(ctx) {
      const { input, decisions } = ctx;
      const t = parse(ctx);
      if (t.job && !decisions.allowed(input, t.job, t.requestId)) {
        await decisions.refuse(input, t.job);
        return;
      }
      let targets: Array<{ job: Job; req: PermissionRequest }>;
      if (t.job && t.requestId) {
        // Even when its job ended: decide() refuses, and the flow answers "too late" and audits it.
        targets = [{ job: t.job, req: permissionRequest(ctx.deps.registry.db, t.job.id, t.requestId)! }];
      } else {
        if (!t.job && ctx.args[0] && /^j-/.test(ctx.args[0].value))
          throw new HermesError('usage', `no job ${ctx.args[0].value}`);
        targets = pendingFor(ctx, t.job);
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
        await input.reply(
          message(
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
          ),
        );
        return;
      }
      const { job, req } = targets[0]!;
      await decisions.decide(input, {
        jobId: job.id,
        requestId: req.request_id,
        decision,
        ...(t.reason ? { reason: t.reason } : {}),
      });
    },
  };
}
