/** `hermes jobs show ID`: the job, its events and its permission requests. */
import { HermesError } from '../../errors.js';
import { jobToJson } from '../../jobs/job.js';
import { eventsOf, permissionRequestsOf } from '../../jobs/queries.js';
import { formatUsage } from '../../jobs/usage.js';
import { jobUsage } from '../../jobs/usage-queries.js';
import { displayJson, readStoredJson } from '../../protocol/display-json.js';
import { fromPlain, type JsonObject } from '../../protocol/lossless-json.js';
import { type CommandContext, parseFlags, writeLine } from '../context.js';
import { jobDetail } from '../format.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags('jobs show', ctx.args, { json: { type: 'boolean' } }, true);
  if (positionals.length !== 1) throw new HermesError('usage', 'jobs show: give exactly one job id');
  return withRegistry(ctx, (registry, db) => {
    const job = registry.require(positionals[0]!);
    const events = eventsOf(db, job.id);
    const requests = permissionRequestsOf(db, job.id);
    const usage = jobUsage(db, job.id);
    if (values.json) {
      const tree = fromPlain({
        ...jobToJson(job),
        usage: usage ?? null,
        events: events.map(({ wire: _wire, ...e }) => e),
        permission_requests: requests.map((r) => ({ ...r, input: null })),
      }) as JsonObject;
      // Inputs as signed (2**64+1 stays 18446744073709551617): JSON.parse would round them.
      const shown = tree.get('permission_requests') as JsonObject[];
      requests.forEach((r, i) => {
        shown[i]!.set('input', readStoredJson(r.input) ?? r.input);
      });
      writeLine(ctx.stdout, displayJson(tree));
      return 0;
    }
    for (const l of jobDetail(job)) writeLine(ctx.stdout, l);
    if (usage) writeLine(ctx.stdout, `cost      ${formatUsage(usage)}`);
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
        `  ${r.request_id} ${r.tool} ${inputLine(r.input)}${r.expires_at ? ` (expires ${r.expires_at})` : ''}`,
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

/** The stored input on one line, numbers as signed, characters as they are. */
function inputLine(stored: string): string {
  const tree = readStoredJson(stored);
  return tree === undefined ? stored : displayJson(tree);
}
