/**
 * POST /trading/{signals,orders}, and forwarded signals from the tertiary (direct invocation).
 *   SIGNAL_SINK   kafka (trading-core regions: KAFKA_BROKERS, host:port,…) | forward (tertiary: FORWARD_REGIONS, FORWARD_FUNCTION)
 *   KILL_SWITCH_PARAMETER   read at most every 5 s
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mskEventProducer } from '@shared/clients/kafka-producer';
import { TOPICS } from '@shared/events';
import type { RestEvent } from '@shared/http/rest';
import { intEnv, requireEnv } from '@shared/runtime/env';
import { once, withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { forwardingPublisher } from './forward';
import { commandRoutes, handleForwarded, isForwardedSignal, type SignalPublisher } from './logic';

const pt = powertools();
const { logger, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const maxBodyBytes = intEnv('MAX_BODY_BYTES', 65_536, { min: 256, max: 10_485_760 });
const routes = commandRoutes(logger);

async function parameter(name: string): Promise<string> {
  const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
  return Parameter?.Value ?? '';
}

/** The kill switch, re-read at most every 5 s (the engine polls it at the same pace). */
const killSwitchOn = (() => {
  const name = process.env.KILL_SWITCH_PARAMETER;
  let cached: { on: boolean; at: number } | undefined;
  return async () => {
    if (!name) return false; // the tertiary: the trading-core region that receives the signal checks its own
    if (!cached || Date.now() - cached.at > 5_000) cached = { on: (await parameter(name)) === 'on', at: Date.now() };
    return cached.on;
  };
})();

const publisher = once(async (): Promise<SignalPublisher> => {
  if (requireEnv('SIGNAL_SINK') === 'forward') {
    const functionName = requireEnv('FORWARD_FUNCTION');
    const targets = requireEnv('FORWARD_REGIONS')
      .split(',')
      .map((region) => {
        const lambda = tracer.captureAWSv3Client(new LambdaClient({ region }));
        return {
          region,
          invoke: async (payload: unknown) => {
            const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(payload)) }));
            if (out.FunctionError) throw new Error(`${functionName} in ${region} failed: ${out.FunctionError}`);
            return JSON.parse(Buffer.from(out.Payload ?? []).toString('utf8') || 'null');
          },
        };
      });
    return forwardingPublisher(targets, (region, error) => logger.warn('forwarding to a trading-core region failed', { region, error }));
  }
  const brokers = requireEnv('KAFKA_BROKERS').split(',');
  const producer = mskEventProducer({ brokers, region: requireEnv('AWS_REGION'), clientId: requireEnv('POWERTOOLS_SERVICE_NAME') });
  return { publish: (signal) => producer.send(TOPICS.signals, signal) };
});

export const handler = withPowertools(async (event: RestEvent | { forwardedSignal: unknown }) => {
  if (isForwardedSignal(event)) return handleForwarded(event, { publisher: await publisher(), killSwitchOn });
  return routes(event as RestEvent, { publisher: await publisher(), killSwitchOn, maxBodyBytes });
}, pt);
