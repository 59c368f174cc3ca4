/**
 * Operational events on the EventBridge ops bus (one per region, `<app>-<env>-ops`): what runbooks, alarms
 * and humans emit around failover. Each is an EventBridge event with a fixed `source` and `detail-type`;
 * the `detail` carries a schema version, an eventId (runbooks deduplicate on it), occurredAt and the
 * region it originated in. `originRegion` is what the cross-region forwarding rules match on: a bus
 * forwards only events that originated in its own region, so a forwarded copy is never forwarded again.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { EventValidationError } from './errors';
import { awsRegion, eventId, identifier, utcTimestamp } from './primitives';
import { validate } from './validate';

export const OPS_SOURCES = {
  failover: 'platform.ops.failover',
  drill: 'platform.ops.drill',
  health: 'platform.ops.health',
} as const;
export type OpsSource = (typeof OPS_SOURCES)[keyof typeof OPS_SOURCES];
/** Every ops source starts with this; rules match on it (EventBridge refuses sources starting with `aws.`). */
export const OPS_SOURCE_PREFIX = 'platform.ops.';

function defineOpsEvent<const D extends string, const V extends number, S extends z.ZodRawShape>(
  detailType: D,
  source: OpsSource,
  version: V,
  description: string,
  shape: S,
) {
  const detail = z.object({ version: z.literal(version), eventId, occurredAt: utcTimestamp, originRegion: awsRegion, ...shape });
  return { detailType, source, version, description, detail };
}

export const OPERATIONS = ['failover', 'failback', 'drill'] as const;
const runId = identifier.describe('The runbook execution (Step Functions execution name) the event belongs to');
const actor = z.string().min(1).max(256).describe('Who asked: an IAM principal ARN, a user name or an alarm name');

export const FailoverRequestedV1 = defineOpsEvent('FailoverRequested', OPS_SOURCES.failover, 1, 'A human or an alarm asks to move the primary role.', {
  /** planned: switchover without data loss (waits for replication); unplanned: the primary is gone, accept the lag. */
  mode: z.enum(['planned', 'unplanned']),
  /** @default the secondary region */
  targetRegion: awsRegion.optional(),
  /** Required, never defaulted: whoever asks says whether this is real. */
  dryRun: z.boolean(),
  requestedBy: actor,
  reason: z.string().min(1).max(1000),
});

export const FailbackRequestedV1 = defineOpsEvent('FailbackRequested', OPS_SOURCES.failover, 1, 'Ask to move the primary role back after a failover.', {
  /** @default the configured primary region */
  targetRegion: awsRegion.optional(),
  dryRun: z.boolean(),
  requestedBy: actor,
  reason: z.string().min(1).max(1000),
});

export const FailoverStepCompletedV1 = defineOpsEvent('FailoverStepCompleted', OPS_SOURCES.failover, 1, 'One runbook step finished.', {
  runId,
  operation: z.enum(OPERATIONS),
  step: identifier,
  status: z.enum(['succeeded', 'failed', 'skipped']),
  fromRegion: awsRegion,
  toRegion: awsRegion,
  dryRun: z.boolean(),
  durationMs: z.number().int().nonnegative(),
  /** Step-specific measurements (replication lag, promoted cluster id). */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export const FailoverCompletedV1 = defineOpsEvent('FailoverCompleted', OPS_SOURCES.failover, 1, 'A failover or failback finished; the new primary serves.', {
  runId,
  operation: z.enum(['failover', 'failback']),
  mode: z.enum(['planned', 'unplanned']),
  fromRegion: awsRegion,
  toRegion: awsRegion,
  dryRun: z.boolean(),
  /** Request to completion: the measured RTO. */
  durationMs: z.number().int().nonnegative(),
  /** Replication lag when the target was promoted: the measured RPO (0 for planned). */
  dataLossWindowMs: z.number().int().nonnegative().optional(),
});

export const FailoverAbortedV1 = defineOpsEvent('FailoverAborted', OPS_SOURCES.failover, 1, 'A runbook stopped before completing; regions stay as the last step left them.', {
  runId,
  operation: z.enum(OPERATIONS),
  fromRegion: awsRegion,
  toRegion: awsRegion.optional(),
  dryRun: z.boolean(),
  failedStep: identifier.optional(),
  reason: z.string().min(1).max(1000),
});

export const DrillCompletedV1 = defineOpsEvent('DrillCompleted', OPS_SOURCES.drill, 1, 'A failover drill finished, with its measured RTO / RPO against targets.', {
  runId,
  scenario: identifier,
  outcome: z.enum(['passed', 'failed']),
  rtoMs: z.number().int().nonnegative(),
  targetRtoMs: z.number().int().positive(),
  rpoMs: z.number().int().nonnegative().optional(),
  targetRpoMs: z.number().int().nonnegative().optional(),
  findings: z.array(z.string().min(1).max(1000)).max(100),
});

export const HEALTH_STATUSES = ['healthy', 'degraded', 'unhealthy'] as const;

export const RegionHealthChangedV1 = defineOpsEvent('RegionHealthChanged', OPS_SOURCES.health, 1, "A region's aggregate health changed.", {
  region: awsRegion,
  role: z.enum(['primary', 'secondary', 'tertiary']),
  previousStatus: z.enum(HEALTH_STATUSES).optional(),
  status: z.enum(HEALTH_STATUSES),
  /** The alarms or checks behind the change. */
  reasons: z.array(z.string().min(1).max(512)).max(50),
});

export const OPS_EVENTS = [
  FailoverRequestedV1,
  FailbackRequestedV1,
  FailoverStepCompletedV1,
  FailoverCompletedV1,
  FailoverAbortedV1,
  DrillCompletedV1,
  RegionHealthChangedV1,
] as const;

export type OpsEventDefinition = (typeof OPS_EVENTS)[number];
export type OpsDetailType = OpsEventDefinition['detailType'];
type DefinitionOf<D extends OpsDetailType> = Extract<OpsEventDefinition, { detailType: D }>;
/** The `detail` of ops event D. */
export type OpsDetail<D extends OpsDetailType> = z.output<DefinitionOf<D>['detail']>;
/** An ops event as EventBridge delivers it to a target, reduced to what the catalog checks. */
export type OpsEvent = { [D in OpsDetailType]: { readonly source: DefinitionOf<D>['source']; readonly detailType: D; readonly detail: OpsDetail<D> } }[OpsDetailType];

export type FailoverRequested = OpsDetail<'FailoverRequested'>;
export type FailbackRequested = OpsDetail<'FailbackRequested'>;
export type FailoverStepCompleted = OpsDetail<'FailoverStepCompleted'>;
export type FailoverCompleted = OpsDetail<'FailoverCompleted'>;
export type FailoverAborted = OpsDetail<'FailoverAborted'>;
export type DrillCompleted = OpsDetail<'DrillCompleted'>;
export type RegionHealthChanged = OpsDetail<'RegionHealthChanged'>;

function definitionOf(detailType: unknown): OpsEventDefinition {
  const definition = OPS_EVENTS.find((d) => d.detailType === detailType);
  if (!definition) {
    throw new EventValidationError('detail-type', `unknown ops event ${JSON.stringify(detailType)}; expected one of ${OPS_EVENTS.map((d) => d.detailType).join(', ')}`);
  }
  return definition;
}

/**
 * Validates an EventBridge event (as a rule target receives it) as an ops event: a known detail-type,
 * its source, a supported `detail.version` and the detail schema. Throws EventValidationError naming the
 * field (`detail-type`, `source`, `detail.version`, `detail.<field>`).
 */
export function parseOpsEvent(event: { readonly source?: unknown; readonly 'detail-type'?: unknown; readonly detail?: unknown }): OpsEvent {
  const definition = definitionOf(event['detail-type']);
  if (event.source !== definition.source) {
    throw new EventValidationError('source', `${definition.detailType} comes from ${definition.source}, got ${JSON.stringify(event.source)}`);
  }
  const detail = event.detail as { version?: unknown } | undefined;
  if (detail === null || typeof detail !== 'object') throw new EventValidationError('detail', 'expected an object');
  if (detail.version !== definition.version) {
    throw new EventValidationError('detail.version', `${detail.version === undefined ? 'is required' : `unsupported version ${JSON.stringify(detail.version)}`} of ${definition.detailType}; supported: ${definition.version}`);
  }
  try {
    return { source: definition.source, detailType: definition.detailType, detail: validate(definition.detail, detail) } as OpsEvent;
  } catch (e) {
    if (e instanceof EventValidationError) throw new EventValidationError(`detail.${e.field}`, e.detail);
    throw e;
  }
}

export interface CreateOpsEventOptions {
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

export type OpsEventEntryInput<D extends OpsDetailType> = Omit<z.input<DefinitionOf<D>['detail']>, 'version' | 'eventId' | 'occurredAt'> & {
  readonly eventId?: string;
  readonly occurredAt?: string;
};

/**
 * A PutEvents entry for ops event D on `eventBusName`, validated: pass it to EventBridge's
 * `PutEventsCommand({ Entries: [entry] })`. `originRegion` is the region of the bus it is put on.
 */
export function opsEventEntry<D extends OpsDetailType>(detailType: D, input: OpsEventEntryInput<D>, eventBusName: string, options: CreateOpsEventOptions = {}) {
  const { now = () => new Date(), newId = randomUUID } = options;
  const definition = definitionOf(detailType);
  const detail = validate(definition.detail, { eventId: newId(), occurredAt: now().toISOString(), ...input, version: definition.version }) as OpsDetail<D>;
  return { Source: definition.source, DetailType: definition.detailType as D, Detail: JSON.stringify(detail), EventBusName: eventBusName, detail };
}

/**
 * The JSON Schema (draft-04, what the EventBridge schema registry accepts) of a whole ops event as
 * EventBridge delivers it, derived from the zod schema so that the two cannot drift.
 */
export function opsEventJsonSchema(detailType: OpsDetailType): Record<string, unknown> {
  const definition = definitionOf(detailType);
  const envelope = z.object({
    version: z.string(),
    id: z.string(),
    'detail-type': z.literal(definition.detailType),
    source: z.literal(definition.source),
    account: z.string(),
    time: z.string(),
    region: z.string(),
    resources: z.array(z.string()),
    detail: definition.detail,
  });
  return {
    ...z.toJSONSchema(envelope, { target: 'draft-04', io: 'input' }),
    title: definition.detailType,
    description: definition.description,
  };
}
