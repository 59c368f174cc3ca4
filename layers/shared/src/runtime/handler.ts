/**
 * The middy chain every handler uses (../shared/STYLE.md): tracer, logger context, metrics flushed after
 * each invocation. The logic stays a plain function; this only adds the cross-cutting concerns.
 *
 *   export const handler = withPowertools(async (event) => logic(event, await deps()), pt);
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Powertools } from './powertools';

export function withPowertools<E, R>(logic: (event: E) => Promise<R>, { logger, metrics, tracer }: Powertools) {
  return middy(async (event: E) => logic(event))
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

/** Runs `init` once per execution environment (on first use, so a failure is retried by the next request). */
export function once<T>(init: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= init().catch((error) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
