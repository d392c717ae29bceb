/**
 * `hermes jobs decide ID REQUEST_ID approve|deny [--by WHO] [--reason TEXT] [--rule RULE] [--scope request|job] [--mqtt URL] [--json]`
 * The same code the chat buttons call: record once, publish signed and retained. `--rule` grants
 * an allow (approve) or deny (deny) rule for the rest of the job with the decision; `--scope job`
 * is the older spelling of `--rule <the request's tool>`.
 */
import { userInfo } from 'node:os';
import { DecisionService } from '../../bot/decision-service.js';
import { newId } from '../../clock.js';
import { describeError, HermesError } from '../../errors.js';
import { connectBus, type MqttBus } from '../../mqtt/bus.js';
import { buildClientOptions } from '../../mqtt/options.js';
import { parseRule } from '../../policy/rule.js';
import { callRunningBot, NO_BOT_NOTE } from '../bot-link.js';
import { cliBrokerUrl } from '../broker-url.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';
import { withRegistry } from '../registry-context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseFlags(
    'jobs decide',
    ctx.args,
    {
      by: { type: 'string' },
      reason: { type: 'string' },
      scope: { type: 'string' },
      rule: { type: 'string' },
      mqtt: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  );
  const [jobId, requestId, decision] = positionals;
  if (positionals.length !== 3 || (decision !== 'approve' && decision !== 'deny')) {
    throw new HermesError('usage', 'jobs decide: give ID REQUEST_ID approve|deny');
  }
  const scope = (values.scope ?? 'request') as 'request' | 'job';
  if (scope !== 'request' && scope !== 'job')
    throw new HermesError('usage', 'jobs decide: --scope is request or job');
  if (values.rule !== undefined && scope === 'job')
    throw new HermesError('usage', 'jobs decide: give --rule or --scope job, not both');
  // Checked before anything connects: a bad rule is answered with what is wrong with it.
  const grant =
    values.rule === undefined
      ? undefined
      : {
          kind: decision === 'approve' ? ('allow' as const) : ('deny' as const),
          rule: parseRule(values.rule).raw,
        };
  const by = values.by ?? `cli:${ctx.env.USER ?? userInfo().username}`;
  // The running bot decides as its buttons do: published on its broker, the card updated.
  if (values.mqtt === undefined) {
    const viaBot = await callRunningBot(ctx, 'decide', {
      job_id: jobId,
      request_id: requestId,
      decision,
      by,
      ...(values.reason !== undefined ? { reason: values.reason } : {}),
      scope,
      ...(grant ? { grant } : {}),
    });
    if (viaBot) return reportBotDecision(ctx, viaBot.result as BotDecision, values.json === true);
  }
  const config = ctx.config();
  // This command says itself, in one line, when the broker is out of reach or the decision is
  // not published yet; the bus's and the service's warnings would repeat that as JSON.
  const log = ctx.env.HERMES_LOG_LEVEL ? ctx.logger() : ctx.logger().child({}, { level: 'error' });
  let bus: MqttBus | undefined;
  let offline: string | undefined;
  try {
    const { url } = cliBrokerUrl(ctx, values.mqtt);
    bus = await connectBus({
      url,
      log: log.child({ name: 'mqtt' }),
      options: buildClientOptions(config, { clientId: newId('hermes-cli', ctx.random) }, { url }),
    });
  } catch (e) {
    offline = describeError(e);
  }
  const publisher = bus ?? {
    publish: () => Promise.reject(new HermesError('broker', offline ?? 'no broker')),
  };
  try {
    return await withRegistry(ctx, async (registry) => {
      const service = new DecisionService({
        registry,
        publisher,
        prefix: config.mqtt.topic_prefix,
        clock: ctx.clock,
        log,
      });
      const result = await service.decide({
        jobId: jobId!,
        requestId: requestId!,
        decision,
        by,
        reason: values.reason,
        scope,
        ...(grant ? { grant } : {}),
      });
      const r = result.request;
      if (result.outcome === 'already') {
        writeLine(
          ctx.stderr,
          `hermes: request ${r.request_id} was already ${r.status} by ${r.decided_by} at ${r.decided_at}`,
        );
        return 1;
      }
      const published = registry.db
        .prepare('SELECT published_at FROM permission_requests WHERE job_id = ? AND request_id = ?')
        .get(r.job_id, r.request_id) as { published_at: string | null };
      if (!published.published_at) {
        writeLine(
          ctx.stderr,
          `hermes: warning: decision recorded but not published (${offline ?? 'broker unavailable'}); the running bot publishes it`,
        );
      }
      if (values.json) writeJson(ctx.stdout, { ...r, published: published.published_at !== null });
      else
        writeLine(
          ctx.stdout,
          `${r.request_id}: ${r.status} by ${r.decided_by}${grant ? `; ${grant.kind} ${grant.rule} for the rest of the job` : ''}`,
        );
      if (values.mqtt === undefined) writeLine(ctx.stderr, `hermes: ${NO_BOT_NOTE}`);
      return 0;
    });
  } finally {
    await bus?.close();
  }
}

interface BotDecision {
  outcome: 'decided' | 'already';
  request: { request_id: string; status: string; decided_by: string | null; decided_at: string | null };
  published: boolean;
}

function reportBotDecision(ctx: CommandContext, d: BotDecision, json: boolean): number {
  const r = d.request;
  if (d.outcome === 'already') {
    writeLine(
      ctx.stderr,
      `hermes: request ${r.request_id} was already ${r.status} by ${r.decided_by} at ${r.decided_at}`,
    );
    return 1;
  }
  if (!d.published) {
    writeLine(
      ctx.stderr,
      'hermes: warning: decision recorded; the running bot publishes it once its broker takes it',
    );
  }
  if (json) writeJson(ctx.stdout, { ...r, published: d.published });
  else writeLine(ctx.stdout, `${r.request_id}: ${r.status} by ${r.decided_by} (through the running bot)`);
  return 0;
}
