/**
 * The event workers' config section (lib/stacks/workers-stack.ts, trading-core regions): how each worker
 * reads MSK (starting position, batching, bounded retries, provisioned pollers), its Lambda size, the
 * notifications worker's delivery settings, and the reporting worker's retention, report archive and
 * scheduled jobs. Ranges are what Lambda, SQS, S3 and EventBridge Scheduler accept.
 */
import { z } from 'zod';
import { WORKER_NAMES } from '../naming';
import type { EnvironmentName } from './schema';

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** EventBridge Scheduler's cron form: cron(minutes hours day-of-month month day-of-week year), UTC here. */
const schedulerCron = z.string().regex(/^cron\((\S+ ){5}\S+\)$/, 'expected an EventBridge Scheduler cron expression such as cron(5 * * * ? *)');

/** One MSK event source mapping per topic; every mapping of a worker shares these settings. */
const eventSourceSchema = z.strictObject({
  /** Where a consumer group with no committed offset starts (a group with offsets resumes from them). */
  startingPosition: z.enum(['LATEST', 'TRIM_HORIZON']),
  batchSize: int(1, 10_000),
  maxBatchingWindowSeconds: int(0, 300),
  /** Retries of a failed batch before it goes to the worker's dead-letter queue; never infinite (-1). */
  retryAttempts: int(0, 10_000),
  /**
   * Provisioned mode (event pollers): Lambda's Kafka mappings accept bounded retries and an on-failure
   * destination only in this mode.
   */
  pollers: z.strictObject({ minimum: int(1, 200), maximum: int(1, 2000) }),
});

const workerSchema = {
  eventSource: eventSourceSchema,
  memoryMiB: int(128, 10_240),
  timeoutSeconds: int(1, 900),
  /** @default unreserved */
  reservedConcurrency: int(1, 10_000).optional(),
};

export const workersSchema = z.strictObject({
  notifications: z.strictObject({
    ...workerSchema,
    /** Tries per channel (push, e-mail, SMS) before a notification is dead-lettered. */
    deliveryAttempts: int(1, 10),
    /** How long a delivered notification's idempotency record stops a redelivery (the handler accepts up to 7 days). */
    idempotencyTtlHours: int(1, 24 * 7),
    /** The SES identity notifications are sent from. */
    emailFrom: z.email(),
    /** How long a user's notification preferences are cached in a function instance. */
    preferencesTtlSeconds: int(0, 3600),
  }),
  reporting: z.strictObject({
    ...workerSchema,
    /** Days of per-trade detail rows (daily partitions) kept in Aurora. */
    detailRetentionDays: int(1, 3650),
    /** Days of hourly / daily rollups kept in Aurora. */
    rollupRetentionDays: int(1, 3650),
    /** Daily partitions created ahead of today, so a write never finds its partition missing. */
    partitionsAheadDays: int(1, 60),
    /** Exported reports in S3: moved to Glacier Instant Retrieval, then deleted. */
    reports: z.strictObject({ archiveAfterDays: int(1, 3650), expireAfterDays: int(2, 3650) }),
    /** EventBridge Scheduler cron expressions (UTC) of the reporting jobs. */
    schedules: z.strictObject({ rollup: schedulerCron, retention: schedulerCron, export: schedulerCron }),
    /** Users exported in parallel by one export run. */
    exportConcurrency: int(1, 64),
    /** Tries of one database write before the record is dead-lettered. */
    writeAttempts: int(1, 10),
  }),
  /** How long the workers' dead-letter queues keep a message (SQS allows up to 14 days). */
  deadLetterRetentionDays: int(1, 14),
});

export type WorkersConfig = z.infer<typeof workersSchema>;

/** The issue's retention figures, the least prod keeps. */
export const PROD_MINIMUM_RETENTION = { detailRetentionDays: 90, rollupRetentionDays: 730 } as const;

/** cron(…) fields: minutes, hours, day-of-month, month, day-of-week, year. */
function cronFields(expression: string): string[] {
  return expression.slice('cron('.length, -1).split(' ');
}
const isNumber = (field: string) => /^\d{1,2}$/.test(field);
const everyDay = (f: string[]) => ['*', '?'].includes(f[2]) && f[3] === '*' && ['*', '?'].includes(f[4]);

/** Cross-field and per-environment rules. Issues carry their path from the config root. */
export function checkWorkers(w: WorkersConfig, environment: EnvironmentName, ctx: z.core.$RefinementCtx): void {
  const at = (...path: string[]) => ['workers', ...path];
  for (const worker of WORKER_NAMES) {
    const { pollers } = w[worker].eventSource;
    if (pollers.minimum > pollers.maximum) {
      ctx.addIssue({ code: 'custom', path: at(worker, 'eventSource', 'pollers', 'minimum'), message: `cannot exceed pollers.maximum (${pollers.maximum})` });
    }
  }
  const r = w.reporting;
  if (r.rollupRetentionDays < r.detailRetentionDays) {
    ctx.addIssue({
      code: 'custom',
      path: at('reporting', 'rollupRetentionDays'),
      message: `must be at least detailRetentionDays (${r.detailRetentionDays}): rollups summarize the detail and outlive it`,
    });
  }
  if (r.reports.expireAfterDays <= r.reports.archiveAfterDays) {
    ctx.addIssue({
      code: 'custom',
      path: at('reporting', 'reports', 'expireAfterDays'),
      message: `must be after archiveAfterDays (${r.reports.archiveAfterDays}): S3 refuses an expiration at or before the transition`,
    });
  }
  const rollup = cronFields(r.schedules.rollup);
  if (!(isNumber(rollup[0]) && rollup[1] === '*' && everyDay(rollup))) {
    ctx.addIssue({ code: 'custom', path: at('reporting', 'schedules', 'rollup'), message: 'the rollup runs hourly: expected cron(<minute> * * * ? *)' });
  }
  for (const job of ['retention', 'export'] as const) {
    const f = cronFields(r.schedules[job]);
    if (!(isNumber(f[0]) && isNumber(f[1]) && everyDay(f))) {
      ctx.addIssue({ code: 'custom', path: at('reporting', 'schedules', job), message: `the ${job} job runs daily: expected cron(<minute> <hour> * * ? *)` });
    }
  }
  if (environment === 'prod') {
    for (const field of ['detailRetentionDays', 'rollupRetentionDays'] as const) {
      if (r[field] < PROD_MINIMUM_RETENTION[field]) {
        ctx.addIssue({ code: 'custom', path: at('reporting', field), message: `prod keeps at least ${PROD_MINIMUM_RETENTION[field]} days` });
      }
    }
  }
}
