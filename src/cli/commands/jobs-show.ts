/** `hermes jobs show ID`: the job, its events and its permission requests. */
import { HermesError } from '../../errors.js';
import { jobToJson } from '../../jobs/job.js';
import { eventsOf, permissionRequestsOf } from '../../jobs/queries.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { jobDetail } from '../format.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('jobs show', ctx.args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new HermesError('usage', 'jobs show: give exactly one job id');
  return withRegistry(ctx, (registry, db) => {
    const job = registry.require(positionals[0]!);
    const events = eventsOf(db, job.id);
    const requests = permissionRequestsOf(db, job.id);
    if (values.json) {
      writeJson(ctx.stdout, {
        ...jobToJson(job),
        events: events.map(({ wire: _wire, ...e }) => e),
        permission_requests: requests.map((r) => ({ ...r, input: safeJson(r.input) })),
      });
      return 0;
    }
    for (const l of jobDetail(job)) writeLine(ctx.stdout, l);
    writeLine(ctx.stdout, `events    ${events.length === 0 ? '(none)' : ''}`);
    for (const e of events) {
      const flag = e.verified ? '' : ' [unverified]';
      writeLine(ctx.stdout, `  #${e.seq} ${e.timestamp} ${e.event}${flag}${e.detail ? `: ${e.detail}` : ''}`);
    }
    const pending = requests.filter((r) => r.status === 'pending');
    writeLine(ctx.stdout, `pending   ${pending.length === 0 ? '(none)' : ''}`);
    for (const r of pending) {
      writeLine(
        ctx.stdout,
        `  ${r.request_id} ${r.tool} ${r.input}${r.expires_at ? ` (expires ${r.expires_at})` : ''}`,
      );
    }
    for (const r of requests.filter((x) => x.status !== 'pending')) {
      writeLine(
        ctx.stdout,
        `  ${r.request_id} ${r.tool}: ${r.status}${r.decided_by ? ` by ${r.decided_by}` : ''}`,
      );
    }
    return 0;
  });
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
