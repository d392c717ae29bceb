/**
 * `hermes event verify --token-file F`: exact wire text on stdin; exit 0 when
 * schema and signature are valid, 1 with the reason on stderr when not.
 * No clock and no replay state: that is the relay's job.
 */
import { HermesError, isHermesError } from '../../errors.js';
import { validateAnyEnvelope } from '../../protocol/envelopes.js';
import { verifyEnvelope } from '../../protocol/signing.js';
import { DEFAULT_MAX_WIRE_BYTES, decodeWire } from '../../protocol/wire.js';
import { readSecretFile } from '../../secrets/token-file.js';
import { type CommandContext, parseFlags, readAll, writeLine } from '../context.js';

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseFlags('event verify', ctx.args, {
    'token-file': { type: 'string' },
    'max-bytes': { type: 'string' },
  });
  if (!values['token-file']) throw new HermesError('usage', 'event verify: --token-file is required');
  const maxBytes = values['max-bytes'] ? Number(values['max-bytes']) : DEFAULT_MAX_WIRE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0)
    throw new HermesError('usage', '--max-bytes must be a positive integer');
  const token = readSecretFile(values['token-file'], 'token');
  try {
    // readAll stops reading past the limit and names the limit itself, not limit + 1.
    const wire = await readAll(ctx.stdin, maxBytes);
    const tree = decodeWire(wire, maxBytes);
    validateAnyEnvelope(tree);
    if (!verifyEnvelope(tree, token))
      throw new HermesError('bad_signature', 'signature missing or does not match');
  } catch (e) {
    if (!isHermesError(e)) throw e;
    writeLine(ctx.stderr, `invalid: ${e.code}: ${e.message}`);
    return 1;
  }
  return 0;
}
