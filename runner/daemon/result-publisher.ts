/**
 * Answers to the bot's commands: signed, numbered with the runner's own seq, peek output and a
 * start's policy cut to fit. A diff's patch gets what room the output leaves: cut at a line's end, or left out when not
 * a line fits (`patch_bytes` still says how big it was, so the thread can say so).
 */
import type { MqttBus } from '../../src/mqtt/bus.js';
import type { DaemonState } from './daemon-state.js';
import { fitOutput, fitPatch, fitPolicy } from './fit-output.js';
import { type ResultFields, type RunnerSigner, resultMessage } from './runner-messages.js';

export function resultPublisher(deps: {
  bus: Pick<MqttBus, 'publish'>;
  signer: RunnerSigner;
  state: Pick<DaemonState, 'nextResultSeq'>;
  maxBytes: number;
}): (r: ResultFields) => Promise<void> {
  const { bus, signer, state, maxBytes } = deps;
  return async (whole) => {
    const { patch, ...given } = whole;
    // Measured with the widest seq, so the seq (taken last, never skipped) cannot push it over.
    const measure = (f: ResultFields) => resultMessage(signer, Number.MAX_SAFE_INTEGER, f);
    const r =
      given.policy === undefined
        ? given
        : { ...given, policy: fitPolicy(given.policy, (p) => measure({ ...given, policy: p }), maxBytes) };
    let fitted: ResultFields =
      r.output === undefined
        ? r
        : { ...r, output: fitOutput(r.output, (o) => measure({ ...r, output: o }), maxBytes) };
    if (patch !== undefined && patch !== '') {
      const patchBytes = Buffer.byteLength(patch);
      const room = { ...fitted, patchBytes };
      const kept = fitPatch(patch, (p) => measure({ ...room, patch: p }), maxBytes);
      fitted = kept === undefined ? room : { ...room, patch: kept };
    }
    const msg = resultMessage(signer, state.nextResultSeq(), fitted);
    await bus.publish(msg.topic, msg.wire, { qos: 1 });
  };
}
