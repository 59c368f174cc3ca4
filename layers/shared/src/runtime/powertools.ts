/**
 * Powertools Logger, Metrics and Tracer, created once per Lambda at module scope (../shared/STYLE.md).
 * The service name comes from POWERTOOLS_SERVICE_NAME (the function's name, set by PlatformFunction) and
 * the metric namespace from POWERTOOLS_METRICS_NAMESPACE (the naming module's per-component namespace).
 *
 *   const { logger, metrics, tracer } = powertools();
 *   const ssm = tracer.captureAWSv3Client(new SSMClient({}));
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export interface Powertools {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

export function powertools(): Powertools {
  return { logger: new Logger(), metrics: new Metrics(), tracer: new Tracer() };
}
