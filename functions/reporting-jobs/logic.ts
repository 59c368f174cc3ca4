/**
 * The reporting worker's scheduled jobs, on every shard of the region:
 * - rollup (hourly): refreshes the hourly / daily / weekly rollups from the watermark;
 * - retention (daily): drops detail partitions older than DETAIL_RETENTION_DAYS and rollup partitions
 *   older than ROLLUP_RETENTION_DAYS, creates the partitions of the next PARTITIONS_AHEAD_DAYS days;
 * - export (daily): writes day D's per-user reports to S3 (D = `date`, default yesterday UTC).
 *
 * Only the active region runs them: the DR runbook enables the trading consumers' event source mappings
 * (of ACTIVE_SWITCH_FUNCTION) in the active region only, so the jobs follow a failover without a schedule
 * change. In a standby region the job logs, counts `SkippedStandby` and returns.
 */
import { paginateListEventSourceMappings, type LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Transactional } from '@shared/clients/sql';
import { exportDailyReports } from '@shared/reporting/export';
import { addDays, utcDay } from '@shared/reporting/partitions';
import { applyRetention } from '@shared/reporting/retention';
import { refreshRollups } from '@shared/reporting/rollups';

/** The job names EventBridge Scheduler sends (the same list as lib/naming.ts REPORTING_JOBS, which the stack schedules). */
export const REPORTING_JOBS = ['rollup', 'retention', 'export'] as const;
export type ReportingJobName = (typeof REPORTING_JOBS)[number];

export interface ReportingJobEvent {
  readonly job: ReportingJobName;
  /** YYYY-MM-DD (UTC): the export's day (default yesterday), the retention's "today" (default today). */
  readonly date?: string;
}

export interface ReportingJobDeps {
  readonly shards: () => Promise<readonly Transactional[]>;
  readonly lambda: Pick<LambdaClient, 'send'>;
  readonly s3: Pick<S3Client, 'send'>;
  readonly reportsBucket: string;
  /** The function whose event source mappings say whether this region is active. */
  readonly activeSwitchFunction: string;
  readonly detailRetentionDays: number;
  readonly rollupRetentionDays: number;
  readonly partitionsAheadDays: number;
  readonly exportConcurrency: number;
  readonly now: () => Date;
  readonly log: (message: string, details?: Record<string, unknown>) => void;
  readonly metric: (name: string, value: number) => void;
}

export type ReportingJobResult =
  | { readonly job: ReportingJobName; readonly skipped: 'standby' }
  | { readonly job: 'rollup'; readonly shards: readonly { from: string | null; hourly: number; daily: number; weekly: number }[] }
  | { readonly job: 'retention'; readonly dropped: readonly string[]; readonly created: number }
  | { readonly job: 'export'; readonly date: string; readonly reports: number };

/** Validates the scheduler's event; the error names the field. */
export function parseJobEvent(event: unknown): ReportingJobEvent {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new Error(`reporting job event: expected an object such as {"job":"rollup"}, got ${JSON.stringify(event)}`);
  }
  const { job, date, ...rest } = event as Record<string, unknown>;
  if (typeof job !== 'string' || !(REPORTING_JOBS as readonly string[]).includes(job)) {
    throw new Error(`reporting job event: field "job" must be one of ${REPORTING_JOBS.join(', ')}, got ${JSON.stringify(job)}`);
  }
  if (date !== undefined) {
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
      throw new Error(`reporting job event: field "date" must be a calendar date YYYY-MM-DD, got ${JSON.stringify(date)}`);
    }
    if (job === 'rollup') throw new Error('reporting job event: field "date" is not accepted by the rollup job (it refreshes what changed since the last run)');
  }
  const unknown = Object.keys(rest);
  if (unknown.length) throw new Error(`reporting job event: unknown field "${unknown[0]}"`);
  return { job: job as ReportingJobName, ...(date === undefined ? {} : { date: date as string }) };
}

/** True when one of the switch function's event source mappings in this region is Enabled. */
export async function isActiveRegion(lambda: Pick<LambdaClient, 'send'>, functionName: string): Promise<boolean> {
  for await (const page of paginateListEventSourceMappings({ client: lambda as LambdaClient }, { FunctionName: functionName })) {
    if ((page.EventSourceMappings ?? []).some((m) => m.State === 'Enabled')) return true;
  }
  return false;
}

export async function runReportingJob(rawEvent: unknown, deps: ReportingJobDeps): Promise<ReportingJobResult> {
  const event = parseJobEvent(rawEvent);
  if (!(await isActiveRegion(deps.lambda, deps.activeSwitchFunction))) {
    deps.log('standby region: reporting job skipped (no Enabled event source mapping)', { job: event.job, activeSwitchFunction: deps.activeSwitchFunction });
    deps.metric('SkippedStandby', 1);
    return { job: event.job, skipped: 'standby' };
  }
  const shards = await deps.shards();
  switch (event.job) {
    case 'rollup': {
      const results = await Promise.all(shards.map((db) => refreshRollups(db)));
      deps.metric('RollupBucketsRefreshed', results.reduce((n, r) => n + r.hourly + r.daily + r.weekly, 0));
      deps.log('rollups refreshed', { shards: results });
      return { job: 'rollup', shards: results.map((r) => ({ ...r, from: r.from?.toISOString() ?? null })) };
    }
    case 'retention': {
      const now = event.date ? new Date(`${event.date}T00:00:00Z`) : deps.now();
      const results = await Promise.all(
        shards.map((db) =>
          applyRetention(db, { now, detailRetentionDays: deps.detailRetentionDays, rollupRetentionDays: deps.rollupRetentionDays, partitionsAheadDays: deps.partitionsAheadDays }),
        ),
      );
      const dropped = results.flatMap((r, shard) => r.dropped.map((name) => `${shard}:${name}`));
      deps.metric('PartitionsDropped', dropped.length);
      deps.log('retention applied', { dropped });
      return { job: 'retention', dropped, created: results.reduce((n, r) => n + r.created.length, 0) };
    }
    case 'export': {
      const date = event.date ?? addDays(utcDay(deps.now()), -1).toISOString().slice(0, 10);
      const put = async (key: string, body: string) => {
        await deps.s3.send(new PutObjectCommand({ Bucket: deps.reportsBucket, Key: key, Body: body, ContentType: 'application/json' }));
      };
      // Shards one after the other: the concurrency bound holds for the whole run.
      let reports = 0;
      for (const db of shards) reports += await exportDailyReports(db, { date, put, concurrency: deps.exportConcurrency });
      deps.metric('ReportsExported', reports);
      deps.log('daily reports exported', { date, reports, bucket: deps.reportsBucket });
      return { job: 'export', date, reports };
    }
  }
}
