/** `hermes doctor [--mqtt URL] [--json]`: checks config, broker, tmux, SQLite, runner pairing and chat tokens, and says what to fix. */
import type { CheckResult } from '../../doctor/check.js';
import {
  checkBroker,
  checkChat,
  checkHome,
  checkRunners,
  checkSqlite,
  checkTmux,
} from '../../doctor/checks.js';
import { describeError } from '../../errors.js';
import { cliBrokerUrl } from '../broker-url.js';
import { type CommandContext, parseFlags, writeJson, writeLine } from '../context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('doctor', ctx.args, { mqtt: { type: 'string' }, json: { type: 'boolean' } });
  const results: CheckResult[] = [];
  let config: ReturnType<CommandContext['config']> | undefined;
  try {
    config = ctx.config();
    results.push({
      name: 'config',
      status: 'ok',
      detail: config.file ?? 'no config file (defaults and environment)',
    });
  } catch (e) {
    results.push({
      name: 'config',
      status: 'fail',
      detail: describeError(e),
      fix: 'fix the key named above',
    });
  }
  if (config) {
    results.push(
      checkHome(config),
      checkSqlite(config),
      await checkChosenBroker(ctx, config, values.mqtt),
      await checkTmux(ctx.env),
      checkRunners(config),
      ...checkChat(config, ctx.env),
    );
  }
  if (values.json) writeJson(ctx.stdout, results);
  else {
    for (const r of results) {
      writeLine(ctx.stdout, `${r.status.toUpperCase().padEnd(4)}  ${r.name.padEnd(8)} ${r.detail}`);
      if (r.fix) writeLine(ctx.stdout, `      ${''.padEnd(8)} fix: ${r.fix}`);
    }
  }
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}

/** The broker the running bot of this home uses when there is one (bot.json), and says which. */
async function checkChosenBroker(
  ctx: CommandContext,
  config: ReturnType<CommandContext['config']>,
  flag: string | undefined,
): Promise<CheckResult> {
  let choice: ReturnType<typeof cliBrokerUrl> | undefined;
  try {
    choice = cliBrokerUrl(ctx, flag);
  } catch {
    // checkBroker says what is wrong with the URL
  }
  if (!choice) return checkBroker(config, ctx.random, flag);
  return checkBroker(config, ctx.random, choice.url, choice.source);
}
