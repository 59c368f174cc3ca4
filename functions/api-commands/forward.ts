/**
 * The tertiary runs no MSK: its commands function forwards each validated signal to the commands function
 * of a trading-core region (Lambda Invoke, same function name), the primary first, then the secondary.
 * Trying the next region after a failure is safe: the signal keeps its event id and the engine
 * deduplicates by it.
 */
import type { SignalGenerated } from '@shared/events';
import { HttpError } from '@shared/http/rest';
import type { SignalPublisher } from './logic';

export interface InvokeTarget {
  readonly region: string;
  invoke(payload: unknown): Promise<unknown>;
}

export function forwardingPublisher(targets: readonly InvokeTarget[], onTargetError: (region: string, error: unknown) => void): SignalPublisher {
  return {
    async publish(signal: SignalGenerated) {
      for (const target of targets) {
        let answer: unknown;
        try {
          answer = await target.invoke({ forwardedSignal: signal });
        } catch (error) {
          onTargetError(target.region, error);
          continue;
        }
        if (answer && typeof answer === 'object' && 'eventId' in answer) return;
        if (answer && typeof answer === 'object' && 'refused' in answer) {
          throw new HttpError(503, `trading is halted (${String((answer as { refused: unknown }).refused)} in ${target.region}); retry later`);
        }
        onTargetError(target.region, new Error(`unexpected answer ${JSON.stringify(answer)}`));
      }
      throw new HttpError(503, 'no trading-core region accepted the command; retry later');
    },
  };
}
