/**
 * Invalidates the dashboard cache when positions change: a Lambda MSK consumer of `trading.positions` in
 * the trading-core regions. Each PositionChanged bumps its user's cache version once per batch (one INCR,
 * no key scan).
 * by TTL anyway, and the MSK source has no partial-batch response. A malformed record is dead-lettered
 * (trading.deadletter, verbatim with the reason) and the batch still succeeds. A cache that refuses writes (the
 * secondary's global-datastore member) is reported, not retried: its primary's bump replicates to it.
 */
import type { UserCache } from '@shared/cache/user-cache';
import { decodeMskEvent, type MskEvent, type MskRecord } from '@shared/events';

export interface InvalidationDeps {
  readonly cache: Pick<UserCache, 'invalidate'>;
  /** Sends the rejected record to the dead-letter topic. */
  readonly deadLetter: (record: MskRecord, error: Error) => Promise<void>;
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
      await deps.deadLetter(result.record, result.error);
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
