/** `hermes watch`'s flags and the relay settings it verifies with (the bot's own). */
import { HermesError } from '../../errors.js';
import { ID_RE } from '../../protocol/topics.js';
import type { RelaySettings } from '../../relay/pipeline.js';
import { type CommandContext, parseFlags } from '../context.js';

export interface WatchOptions {
  ids: string[];
  json: boolean;
  /** Stored events first (`--since-start`, the default); false with `--no-history`. */
  history: boolean;
  timeoutS: number | undefined;
  mqtt: string | undefined;
  settings: RelaySettings;
}

export function watchOptions(ctx: CommandContext): WatchOptions {
  const { values, positionals } = parseFlags(
    'watch',
    ctx.args,
    {
      json: { type: 'boolean' },
      'since-start': { type: 'boolean' },
      'no-history': { type: 'boolean' },
      timeout: { type: 'string' },
      mqtt: { type: 'string' },
    },
    true,
  );
  if (values['since-start'] && values['no-history']) {
    throw new HermesError('usage', 'watch: --since-start and --no-history contradict each other; give one');
  }
  if (positionals.length === 0) throw new HermesError('usage', 'watch: give one or more job ids');
  // Ids become topic levels: no wildcards.
  const bad = positionals.find((id) => !ID_RE.test(id));
  if (bad !== undefined) throw new HermesError('usage', `watch: "${bad}" is not a job id`);
  const timeoutS = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutS !== undefined && (!Number.isFinite(timeoutS) || timeoutS <= 0)) {
    throw new HermesError('usage', 'watch: --timeout must be a positive number of seconds');
  }
  const config = ctx.config();
  return {
    ids: [...new Set(positionals)],
    json: values.json === true,
    history: values['no-history'] !== true,
    timeoutS,
    mqtt: values.mqtt,
    settings: {
      maxPayloadBytes: config.relay.max_payload_bytes,
      clockSkewSeconds: config.relay.clock_skew_seconds,
      naiveTimestamps: config.relay.naive_timestamps,
      maxSeqJump: config.relay.max_seq_jump,
      replayWindow: config.relay.replay_window,
      approvalTimeoutSeconds: config.chat.approval_timeout_seconds,
    },
  };
}
