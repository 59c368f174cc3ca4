/**
 * The shapes the state machines carry between steps, and the dependencies every step receives (SDK
 * clients per region, the clock, fetch), so the logic runs unchanged in Lambda and in tests.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RunbookSettings } from './settings';

export const RUNBOOKS = ['regionEvacuation', 'databaseFailover', 'failback', 'restore'] as const;
export type Runbook = (typeof RUNBOOKS)[number];

/** Who started the run: a human's request, the region-health alarm, an AWS Health event, a game day. */
export type Trigger = 'request' | 'alarm' | 'health' | 'schedule';

/** Set once by `prepare` and carried through the execution. */
export interface RunContext {
  readonly runId: string;
  readonly runbook: Runbook;
  readonly operation: 'failover' | 'failback' | 'drill';
  readonly mode: 'planned' | 'unplanned';
  readonly dryRun: boolean;
  readonly trigger: Trigger;
  /** Automatic runs (alarm, health) respect the cool-down; a human's request does not. */
  readonly automatic: boolean;
  readonly requestedBy: string;
  readonly reason: string;
  /** When the trigger happened (event time): the start of the measured RTO. */
  readonly requestedAt: string;
  readonly sourceRegion: string;
  readonly targetRegion: string;
  /** Restore only. */
  readonly restore?: { readonly shard: number; readonly restoreTime?: string };
}

/** What a step body returns: `done` false asks the state machine to wait and call again (polling steps). */
export interface StepOutcome {
  readonly status: 'succeeded' | 'skipped' | 'inProgress' | 'failed';
  readonly done: boolean;
  /** What was measured or done; dry runs say what would have been done. */
  readonly details: Record<string, string | number | boolean | null>;
  /** Anything a later step or a Choice state reads. */
  readonly [key: string]: unknown;
}

/** A step's outcome as recorded: with its name and timing. */
export interface StepResult extends StepOutcome {
  readonly step: string;
  readonly startedAt: string;
  readonly durationMs: number;
}

export interface RunState {
  readonly run: RunContext;
  readonly results?: Record<string, StepResult | undefined>;
  /** Set by the Catch of a failed step. */
  readonly failure?: { readonly Error?: string; readonly Cause?: string };
}

export interface RegionClients {
  readonly rds: RDSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly elasticache: ElastiCacheClient;
  readonly ssm: SSMClient;
  readonly ecs: ECSClient;
  readonly lambda: LambdaClient;
  readonly sns: SNSClient;
  readonly events: EventBridgeClient;
}

export interface Deps {
  readonly settings: RunbookSettings;
  /** Clients of one region (cached per region by the handler). */
  readonly clients: (region: string) => RegionClients;
  readonly ddb: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly route53: Route53Client;
  readonly now: () => Date;
  readonly fetch: (url: string) => Promise<{ readonly status: number }>;
}

/** A step failure that must not be retried by the state machine (it pages instead). */
export class RunbookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunbookError';
  }
}
