/**
 * One runbook at a time per environment: a lease item in the runbook table, taken with a conditional
 * write. A second trigger while the lease is held (or, for automatic triggers, during the cool-down after
 * the last run) is refused and recorded as suppressed. Dry runs take their own lease, so a game day never
 * blocks a real failover. The lease expires by itself (`lockLeaseSeconds`) so a crashed execution cannot
 * hold it forever; a failed run keeps it (the platform may be half-moved: a human decides, see
 * docs/runbooks/README.md).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps, RunContext } from './types';

export const LOCK_PK = 'LOCK';

export function lockKey(run: Pick<RunContext, 'dryRun'>): { pk: string; sk: string } {
  return { pk: LOCK_PK, sk: run.dryRun ? 'dry-run' : 'live' };
}

export interface LockOutcome {
  readonly acquired: boolean;
  /** Why not: the holder's run id, or the cool-down's end. */
  readonly heldBy?: string;
  readonly coolDownUntil?: string;
}

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

export async function acquireLock(run: RunContext, deps: Deps): Promise<LockOutcome> {
  const now = epoch(deps.now());
  const { lockLeaseSeconds } = deps.settings;
  // A retried acquire by the same run succeeds (holder = runId): the step is idempotent.
  const free = run.automatic
    ? '(leaseUntil < :now AND (attribute_not_exists(coolDownUntil) OR coolDownUntil < :now))'
    : 'leaseUntil < :now';
  try {
    await deps.ddb.send(
      new UpdateCommand({
        TableName: deps.settings.names.runbookTable,
        Key: lockKey(run),
        UpdateExpression: 'SET holder = :runId, runbook = :runbook, acquiredAt = :now, leaseUntil = :leaseUntil, expiresAt = :expiresAt',
        ConditionExpression: `attribute_not_exists(pk) OR holder = :runId OR ${free}`,
        ExpressionAttributeValues: {
          ':runId': run.runId,
          ':runbook': run.runbook,
          ':now': now,
          ':leaseUntil': now + lockLeaseSeconds,
          // TTL only after lease and cool-down are long over (the item carries the cool-down).
          ':expiresAt': now + lockLeaseSeconds + deps.settings.coolDownSeconds + 86_400,
        },
      }),
    );
    return { acquired: true };
  } catch (e) {
    if (!(e instanceof ConditionalCheckFailedException) && (e as Error).name !== 'ConditionalCheckFailedException') throw e;
    const { Item } = await deps.ddb.send(new GetCommand({ TableName: deps.settings.names.runbookTable, Key: lockKey(run), ConsistentRead: true }));
    const leaseHeld = Item && Number(Item.leaseUntil) >= now;
    return {
      acquired: false,
      heldBy: leaseHeld ? String(Item.holder) : undefined,
      coolDownUntil: !leaseHeld && Item?.coolDownUntil ? new Date(Number(Item.coolDownUntil) * 1000).toISOString() : undefined,
    };
  }
}

/** Ends the lease and starts the cool-down; a no-op when this run no longer holds the lock. */
export async function releaseLock(run: RunContext, deps: Deps): Promise<boolean> {
  const now = epoch(deps.now());
  try {
    await deps.ddb.send(
      new UpdateCommand({
        TableName: deps.settings.names.runbookTable,
        Key: lockKey(run),
        UpdateExpression: 'SET leaseUntil = :expired, coolDownUntil = :coolDownUntil, releasedBy = :runId REMOVE holder',
        ConditionExpression: 'holder = :runId',
        ExpressionAttributeValues: { ':runId': run.runId, ':expired': now - 1, ':coolDownUntil': now + deps.settings.coolDownSeconds },
      }),
    );
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}
