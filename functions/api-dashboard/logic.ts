/**
 * Dashboard reads: positions (cached 60 s), a page of trades (straight from the read-only proxy: pages
 * are many and rarely re-read), performance over 1d / 7d / 30d (cached 300 s). Cached values are per user
 * and versioned, so a PositionChanged event invalidates them all at once (@shared/cache/user-cache).
 */
import * as z from 'zod';
import type { UserCache } from '@shared/cache/user-cache';
import type { Sql } from '@shared/clients/sql';
import { HttpError, json, router, userIdOf, validateInput, type ErrorLog, type RestEvent } from '@shared/http/rest';
import { decodeCursor, PERFORMANCE_WINDOWS, performanceOf, positionsOf, tradesOf, type PerformanceWindow } from './queries';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface DashboardDeps {
  /** The read-only pool of the user's shard. */
  readonly sqlFor: (userId: string) => Sql;
  readonly cache: UserCache;
  readonly ttl: { readonly positionsSeconds: number; readonly performanceSeconds: number };
  /** @default () => new Date() */
  readonly now?: () => Date;
}

const tradesQuery = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_PAGE_SIZE, `expected 1 to ${MAX_PAGE_SIZE}`)
    .optional(),
  cursor: z.string().max(512).optional(),
});

const performanceQuery = z.strictObject({
  window: z.enum(Object.keys(PERFORMANCE_WINDOWS) as [PerformanceWindow, ...PerformanceWindow[]]).optional(),
});

/** Cache-Control lets a browser reuse a response for as long as the server-side cache would. */
const cacheHeaders = (seconds: number) => ({ 'cache-control': `private, max-age=${seconds}` });

export async function getPositions(event: RestEvent, deps: DashboardDeps) {
  const userId = userIdOf(event);
  const { value, source } = await deps.cache.read(userId, 'positions', deps.ttl.positionsSeconds, () => positionsOf(deps.sqlFor(userId), userId));
  return json(200, { positions: value }, { ...cacheHeaders(deps.ttl.positionsSeconds), 'x-cache': source });
}

export async function getTrades(event: RestEvent, deps: DashboardDeps) {
  const userId = userIdOf(event);
  const query = validateInput(tradesQuery, event.queryStringParameters ?? {});
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !after) throw new HttpError(400, 'cursor: not a cursor this API returned', 'cursor');
  const page = await tradesOf(deps.sqlFor(userId), userId, query.limit ?? DEFAULT_PAGE_SIZE, after);
  return json(200, page);
}

export async function getPerformance(event: RestEvent, deps: DashboardDeps) {
  const userId = userIdOf(event);
  const window = validateInput(performanceQuery, event.queryStringParameters ?? {}).window ?? '1d';
  const now = (deps.now ?? (() => new Date()))();
  const { value, source } = await deps.cache.read(userId, `performance:${window}`, deps.ttl.performanceSeconds, () =>
    performanceOf(deps.sqlFor(userId), userId, window, now),
  );
  return json(200, value, { ...cacheHeaders(deps.ttl.performanceSeconds), 'x-cache': source });
}

export const dashboardRoutes = (log: ErrorLog) =>
  router<DashboardDeps>(
    {
      'GET /dashboard/positions': getPositions,
      'GET /dashboard/trades': getTrades,
      'GET /dashboard/performance': getPerformance,
    },
    log,
  );
