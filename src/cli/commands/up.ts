/**
 * `hermes up [--console] [--mqtt URL] [--linger SECONDS] [--broker-port N]`: everything on one
 * host. The console chat owns the terminal, so logs go to
 * $HERMES_HOME/logs/up.log.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { HermesError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { startUp } from '../../up/run-up.js';
import { type CommandContext, parseFlags, writeLine } from '../context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('up', ctx.args, {
    console: { type: 'boolean' },
    mqtt: { type: 'string' },
    linger: { type: 'string' },
    'broker-port': { type: 'string' },
  });
  const brokerPort = values['broker-port'];
  if (brokerPort !== undefined && !/^\d+$/.test(brokerPort))
    throw new HermesError('usage', 'up: --broker-port takes a port number');
  if (values.linger !== undefined && !/^\d+$/.test(values.linger))
    throw new HermesError('usage', 'up: --linger takes a whole number of seconds');
  const config = ctx.config();
  const logDir = join(config.home, 'logs');
  mkdirSync(logDir, { recursive: true, mode: 0o700 });
  const logFile = join(logDir, 'up.log');
  const log = createLogger({
    level: config.log_level,
    destination: pino.destination({ dest: logFile, mode: 0o600, sync: true }),
  });
  const quit = new AbortController();
  const up = await startUp({
    config,
    log,
    clock: ctx.clock,
    random: ctx.random,
    env: ctx.env,
    brokerUrl: values.mqtt,
    console: values.console === true,
    input: ctx.stdin,
    output: ctx.stdout,
    onQuit: () => quit.abort(),
    ...(values.linger !== undefined ? { lingerSeconds: Number(values.linger) } : {}),
    ...(brokerPort !== undefined ? { embeddedPort: Number(brokerPort) } : {}),
  });
  writeLine(
    ctx.stderr,
    `hermes up: ${up.embedded ? 'embedded MQTT broker' : 'MQTT broker'} at ${up.brokerUrl}`,
  );
  writeLine(
    ctx.stderr,
    `hermes up: bot and runner "local" running; chat: ${up.chat.join(', ')}; logs in ${logFile}`,
  );
  // The console greets and shows its prompt below the banner (one hint, not two).
  up.console?.ready();
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    if (ctx.signal.aborted || quit.signal.aborted) return resolve();
    ctx.signal.addEventListener('abort', done, { once: true });
    quit.signal.addEventListener('abort', done, { once: true });
  });
  // Off the prompt first, so the lines below start at the left edge.
  up.console?.close();
  writeLine(ctx.stderr, 'hermes up: stopping (tmux sessions of running jobs keep running)');
  await up.stop();
  writeLine(ctx.stderr, 'hermes up: stopped');
  return 0;
}
