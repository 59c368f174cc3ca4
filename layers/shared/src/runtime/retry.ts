/**
 * Bounded retries with full-jitter exponential backoff, for calls that fail transiently (throttling, 5xx,
 * a connection reset). A permanent error (validation, 4xx) fails at once; a transient one that keeps
 * failing fails after `attempts` tries. Workers dead-letter what still fails: nothing retries forever.
 */
export interface RetryOptions {
  /** Tries in all, including the first. */
  readonly attempts: number;
  /** First backoff; doubles per try, capped by maxDelayMs, with full jitter. @default 50 */
  readonly baseDelayMs?: number;
  /** @default 2000 */
  readonly maxDelayMs?: number;
  /** @default isTransientError */
  readonly isTransient?: (error: unknown) => boolean;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called before each retry (for a log line or a metric). */
  readonly onRetry?: (error: unknown, attempt: number) => void;
}

export async function withRetries<T>(call: () => Promise<T>, options: RetryOptions): Promise<T> {
  if (!Number.isInteger(options.attempts) || options.attempts < 1) throw new Error(`attempts must be a positive integer, got ${options.attempts}`);
  const isTransient = options.isTransient ?? isTransientError;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const base = options.baseDelayMs ?? 50;
  const cap = options.maxDelayMs ?? 2000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= options.attempts || !isTransient(error)) throw error;
      options.onRetry?.(error, attempt);
      await sleep(Math.random() * Math.min(cap, base * 2 ** (attempt - 1)));
    }
  }
}

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'InternalServerException',
  'TimeoutError',
  'RequestTimeout',
]);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', '57P01', '08006', '08001', '40001', '40P01']);

/** AWS SDK v3 throttling and 5xx errors, network resets, and PostgreSQL's retryable ones (serialization, deadlock, admin shutdown). */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$retryable) return true;
  if (e.name && TRANSIENT_NAMES.has(e.name)) return true;
  if (e.code && TRANSIENT_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return status !== undefined && (status === 429 || status >= 500);
}
