/**
 * Turns whatever started the execution into the run's context: a human's FailoverRequested /
 * FailbackRequested (validated against the ops catalog), the primary's region-health alarm entering
 * ALARM, an AWS Health issue in the primary region, a game day (always a dry run), or a restore request.
 * The runbook runs in the region that takes over, so the target must be this region.
 */
import * as z from 'zod';
import { parseOpsEvent } from '@shared/events';
import type { RunbookSettings } from './settings';
import { RunbookError, type RunContext, type Runbook, type Trigger } from './types';

export interface TriggerEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly time?: string;
  readonly region?: string;
  readonly detail?: Record<string, unknown>;
}

/** Started with `aws stepfunctions start-execution` (restore has no EventBridge trigger: it is never automatic). */
export const restoreRequestSchema = z.strictObject({
  shard: z.number().int().min(0),
  /** @default the latest restorable time */
  restoreTime: z.iso.datetime().optional(),
  dryRun: z.boolean(),
  requestedBy: z.string().min(1).max(256),
  reason: z.string().min(1).max(1000),
});

export function prepareRun(runbook: Runbook, runId: string, event: TriggerEvent, s: RunbookSettings, now: Date): RunContext {
  const local = s.region;
  const defaultTarget = runbook === 'failback' ? s.regions.primary : s.regions.secondary;
  const otherOf = (target: string) => (target === s.regions.primary ? s.regions.secondary : s.regions.primary);
  const base = { runId, runbook, requestedAt: event.time ?? now.toISOString() };
  let run: RunContext;
  const detailType = event['detail-type'];

  if (event.source === 'aws.cloudwatch') {
    const alarmName = String(event.detail?.alarmName ?? '');
    run = { ...base, ...automatic('alarm', `alarm ${alarmName}`, `${alarmName} is in ALARM`), sourceRegion: event.region ?? s.regions.primary, targetRegion: defaultTarget };
  } else if (event.source === 'aws.health') {
    const d = event.detail ?? {};
    run = {
      ...base,
      ...automatic('health', `AWS Health ${String(d.eventTypeCode ?? '')}`, `AWS Health: ${String(d.service ?? '')} ${String(d.eventTypeCode ?? '')}`),
      sourceRegion: event.region ?? s.regions.primary,
      targetRegion: defaultTarget,
    };
  } else if (event.source === 'platform.ops.drill' && detailType === 'GameDay') {
    run = {
      ...base,
      operation: 'drill',
      mode: 'unplanned',
      dryRun: true,
      trigger: 'schedule',
      automatic: false,
      requestedBy: 'game-day schedule',
      reason: 'scheduled game day (dry run)',
      sourceRegion: otherOf(defaultTarget),
      targetRegion: defaultTarget,
    };
  } else if (detailType === 'RestoreRequested') {
    const r = restoreRequestSchema.safeParse(event.detail);
    if (!r.success) throw new RunbookError(`RestoreRequested: ${r.error.issues.map((i) => `detail.${i.path.join('.')}: ${i.message}`).join('; ')}`);
    run = {
      ...base,
      operation: 'failover',
      mode: 'unplanned',
      dryRun: r.data.dryRun,
      trigger: 'request',
      automatic: false,
      requestedBy: r.data.requestedBy,
      reason: r.data.reason,
      sourceRegion: local,
      targetRegion: local,
      restore: { shard: r.data.shard, restoreTime: r.data.restoreTime },
    };
  } else {
    // A human's request: the catalog validates it and names the bad field.
    const parsed = parseOpsEvent(event);
    if (parsed.detailType !== 'FailoverRequested' && parsed.detailType !== 'FailbackRequested') {
      throw new RunbookError(`${parsed.detailType} does not start a runbook`);
    }
    const d = parsed.detail;
    const target = d.targetRegion ?? defaultTarget;
    run = {
      ...base,
      requestedAt: d.occurredAt,
      operation: parsed.detailType === 'FailbackRequested' ? 'failback' : 'failover',
      mode: parsed.detailType === 'FailoverRequested' ? parsed.detail.mode : 'planned',
      dryRun: d.dryRun,
      trigger: 'request',
      automatic: false,
      requestedBy: d.requestedBy,
      reason: d.reason,
      sourceRegion: otherOf(target),
      targetRegion: target,
    };
  }
  if (run.targetRegion !== local) {
    throw new RunbookError(`target region ${run.targetRegion} is not this region (${local}): runbooks run in the region that takes over`);
  }
  if (runbook === 'databaseFailover' && run.targetRegion === s.regions.tertiary) {
    throw new RunbookError('the tertiary region cannot take over the writer role');
  }
  return run;
}

function automatic(trigger: Trigger, requestedBy: string, reason: string) {
  return { operation: 'failover' as const, mode: 'unplanned' as const, dryRun: false, trigger, automatic: true, requestedBy, reason };
}
