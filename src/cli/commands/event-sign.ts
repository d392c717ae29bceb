/** `hermes event sign --token-file F`: unsigned event on stdin -> signed wire text on stdout. */
import { HermesError } from '../../errors.js';
import { validateAnyEnvelope } from '../../protocol/envelopes.js';
import { refuseInexact } from '../../protocol/exact-numbers.js';
import { parseLossless } from '../../protocol/lossless-json.js';
import { signEnvelope } from '../../protocol/signing.js';
import { encodeWire } from '../../protocol/wire.js';
import { readSecretFile } from '../../secrets/token-file.js';
import { type CommandContext, parseFlags, readAll, writeLine } from '../context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('event sign', ctx.args, { 'token-file': { type: 'string' } });
  if (!values['token-file']) throw new HermesError('usage', 'event sign: --token-file is required');
  const token = readSecretFile(values['token-file'], 'token', {
    warn: (m) => writeLine(ctx.stderr, `hermes: warning: ${m}`),
  });
  const input = (await readAll(ctx.stdin)).toString('utf8');
  const tree = parseLossless(input);
  if (!(tree instanceof Map)) throw new HermesError('malformed', 'stdin must hold one JSON object');
  refuseInexact('event sign: stdin', tree);
  const signed = signEnvelope(tree, token);
  validateAnyEnvelope(signed);
  writeLine(ctx.stdout, encodeWire(signed));
  return 0;
}
