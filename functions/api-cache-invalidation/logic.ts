/**
 * Invalidates the dashboard cache when positions change: a Lambda MSK consumer of `trading.positions` in
 * the trading-core regions. Each PositionChanged bumps its user's cache version once per batch (one INCR,
 * no key scan). A malformed record is logged and counted, and the batch still succeeds: the cache expires
 * by TTL anyway, and the MSK source has no partial-batch response. A cache that refuses writes (the
 * secondary's global-datastore member) is reported, not retried: its primary's bump replicates to it.
 */
import type { UserCache } from '@shared/cache/user-cache';
import { decodeMskEvent, type MskEvent } from '@shared/events';

export interface InvalidationDeps {
  readonly cache: Pick<UserCache, 'invalidate'>;
  readonly onBadRecord: (ref: string, error: Error) => void;
  readonly onCacheError: (userId: string, error: unknown) => void;
}

export interface InvalidationSummary {
  readonly users: number;
  readonly invalidated: number;
  readonly badRecords: number;
}

export async function invalidatePositions(event: MskEvent, deps: InvalidationDeps): Promise<InvalidationSummary> {
  const users = new Set<string>();
  let badRecords = 0;
  for (const result of decodeMskEvent(event)) {
    if (!result.ok) {
      badRecords++;
      deps.onBadRecord(result.ref, result.error);
      continue;
    }
    if (result.topic === 'trading.positions') users.add(result.event.userId);
  }
  let invalidated = 0;
  for (const userId of users) {
    try {
      await deps.cache.invalidate(userId);
      invalidated++;
    } catch (error) {
      deps.onCacheError(userId, error);
    }
  }
  return { users: users.size, invalidated, badRecords };
}
