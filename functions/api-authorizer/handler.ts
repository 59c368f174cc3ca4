/** JWT authorizer of the REST and WebSocket APIs (RS256 against the user pool's JWKS, kept region-local). */
import { GetParameterCommand, ParameterNotFound, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { requireEnv } from '@shared/runtime/env';
import { withPowertools } from '@shared/runtime/handler';
import { powertools } from '@shared/runtime/powertools';
import { cognitoIssuer, JwksSource, type JwksDocument } from './jwt';
import { authorize, type AuthorizerEvent } from './logic';

const pt = powertools();
const { logger, metrics, tracer } = pt;
const ssm = tracer.captureAWSv3Client(new SSMClient({}));
const issuer = cognitoIssuer(requireEnv('USER_POOL_ID'));
const copyParameter = requireEnv('JWKS_COPY_PARAMETER');

const jwks = new JwksSource({
  readCopy: async () => {
    try {
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: copyParameter }));
      return Parameter?.Value ? (JSON.parse(Parameter.Value) as JwksDocument) : undefined;
    } catch (error) {
      if (error instanceof ParameterNotFound) return undefined;
      throw error;
    }
  },
  writeCopy: async (document) => {
    await ssm.send(new PutParameterCommand({ Name: copyParameter, Value: JSON.stringify(document), Type: 'String', Overwrite: true }));
  },
  fetchRemote: async () => {
    const response = await fetch(`${issuer}/.well-known/jwks.json`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) throw new Error(`JWKS fetch answered ${response.status}`);
    return (await response.json()) as JwksDocument;
  },
  onSourceError: (error, source) => logger.warn('JWKS source failed', { error, source }),
});

const deps = {
  jwks,
  verify: { issuer, clientId: requireEnv('USER_POOL_CLIENT_ID') },
  onRefused: (reason: string) => {
    logger.info('token refused', { reason });
    metrics.addMetric('TokensRefused', MetricUnit.Count, 1);
  },
};

export const handler = withPowertools((event: AuthorizerEvent) => authorize(event, deps), pt);
