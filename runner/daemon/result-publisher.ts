/** Answers to the bot's commands: signed, numbered with the runner's own seq, peek output cut to fit. */
import type { MqttBus } from '../../src/mqtt/bus.js';
import type { DaemonState } from './daemon-state.js';
import { fitOutput } from './fit-output.js';
import { type ResultFields, type RunnerSigner, resultMessage } from './runner-messages.js';

export function resultPublisher(deps: {
  bus: Pick<MqttBus, 'publish'>;
  signer: RunnerSigner;
  state: Pick<DaemonState, 'nextResultSeq'>;
  maxBytes: number;
}): (r: ResultFields) => Promise<void> {
  const { bus, signer, state, maxBytes } = deps;
  return async (r) => {
    // Measured with the widest seq, so the seq (taken last, never skipped) cannot push it over.
    const fitted =
      r.output === undefined
        ? r
        : {
            ...r,
            output: fitOutput(
              r.output,
              (o) => resultMessage(signer, Number.MAX_SAFE_INTEGER, { ...r, output: o }),
              maxBytes,
            ),
          };
    const msg = resultMessage(signer, state.nextResultSeq(), fitted);
    await bus.publish(msg.topic, msg.wire, { qos: 1 });
  };
}
