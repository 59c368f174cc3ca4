/**
 * The runbook steps' Lambda handler (both the `checks` and the `actions` function; RUNBOOK_STEP_GROUP
 * says which): Powertools and the SDK clients at module scope, one set of clients per region (a step
 * talks to the source and the target region), the logic in ./logic.ts.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { requireEnv } from '@shared/runtime/env';
import { powertools } from '@shared/runtime/powertools';
import { runStep, type StepGroup, type StepInput } from './logic';
import { parseSettings } from './settings';
import type { Deps, RegionClients } from './types';

const { logger, metrics, tracer } = powertools();
const settings = parseSettings(requireEnv('RUNBOOK_SETTINGS'));
const group = requireEnv('RUNBOOK_STEP_GROUP') as StepGroup;
// Short timeouts against a region that may be down: the step's own retries decide, not the SDK's.
const clientConfig = (region: string) => ({ region, maxAttempts: 2, requestHandler: { requestTimeout: 10_000, connectionTimeout: 3_000 } });
const regional = new Map<string, RegionClients>();

function clients(region: string): RegionClients {
  let c = regional.get(region);
  if (!c) {
    const config = clientConfig(region);
    c = {
      rds: tracer.captureAWSv3Client(new RDSClient(config)),
      cloudwatch: tracer.captureAWSv3Client(new CloudWatchClient(config)),
      elasticache: tracer.captureAWSv3Client(new ElastiCacheClient(config)),
      ssm: tracer.captureAWSv3Client(new SSMClient(config)),
      ecs: tracer.captureAWSv3Client(new ECSClient(config)),
      lambda: tracer.captureAWSv3Client(new LambdaClient(config)),
      sns: tracer.captureAWSv3Client(new SNSClient(config)),
      events: tracer.captureAWSv3Client(new EventBridgeClient(config)),
    };
    regional.set(region, c);
  }
  return c;
}

const deps: Deps = {
  settings,
  clients,
  ddb: DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({ region: settings.region })), {
    marshallOptions: { removeUndefinedValues: true },
  }),
  s3: tracer.captureAWSv3Client(new S3Client({ region: settings.region })),
  // Route 53's control plane lives in us-east-1.
  route53: tracer.captureAWSv3Client(new Route53Client({ region: 'us-east-1' })),
  now: () => new Date(),
  fetch: (url) => fetch(url, { signal: AbortSignal.timeout(5_000) }),
};

async function logic(input: StepInput): Promise<unknown> {
  logger.appendKeys({ step: input.step, runId: input.state?.run.runId ?? input.executionName });
  const started = Date.now();
  try {
    return await runStep(input, deps, group);
  } finally {
    metrics.addDimension('step', input.step);
    metrics.addMetric('StepDuration', 'Milliseconds', Date.now() - started);
  }
}

export const handler = middy(logic).use(injectLambdaContext(logger)).use(logMetrics(metrics)).use(captureLambdaHandler(tracer));
