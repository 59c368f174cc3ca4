/**
 * The observability section: who each alarm severity reaches, the thresholds of every alarm, the
 * synthetic checks and how long their artifacts stay. Environments differ only here (dev alarms are
 * looser than prod's); the cross-field rules are in `checkObservability`.
 *
 * Severities: `critical` pages (e-mail plus HTTPS paging endpoints), `warning` notifies (chat),
 * `info` is logged (docs/operations.md).
 */
import { z } from 'zod';

const subscriptionsSchema = z.strictObject({
  emails: z.array(z.email()).default([]),
  /** Paging and chat webhooks (PagerDuty, Opsgenie, Slack via AWS Chatbot or a relay): HTTPS only. */
  httpsEndpoints: z.array(z.url({ protocol: /^https$/, error: 'expected an https:// URL (SNS delivers alarms over TLS only)' })).default([]),
});

const percent = z.number().gt(0).max(100);
const milliseconds = z.number().int().min(1).max(60_000);

export const observabilitySchema = z.strictObject({
  subscriptions: z.strictObject({ critical: subscriptionsSchema, warning: subscriptionsSchema, info: subscriptionsSchema }),
  thresholds: z.strictObject({
    /** API 5XX responses as a percent of requests: critical pages, warning notifies. */
    errorRatePercent: z.strictObject({ critical: percent, warning: percent }),
    /** API p95 latency that pages (the blueprint's "API p95 > 1 s"). */
    apiP95CriticalMs: milliseconds,
    /** The blueprint's latency objectives (warning alarms when missed). */
    latencyObjectivesMs: z.strictObject({ p50: milliseconds, p95: milliseconds, p99: milliseconds }),
    /** Sustained CPU (engine tasks, Aurora, cache): warns after `minutes` above `percent`. */
    cpu: z.strictObject({ percent, minutes: z.number().int().min(1).max(60) }),
    memoryPercent: percent,
    /** Used storage (MSK broker disks, cache memory for data). */
    storagePercent: percent,
    /** Aurora global RPO lag that warns, in seconds (the blueprint's RPO is 5 minutes). */
    rpoLagWarningSeconds: z.number().int().min(1).max(3600),
    /** Messages in any worker dead-letter queue that warn (1: every dead letter is looked at). */
    deadLetterMessages: z.number().int().min(1).max(100_000),
  }),
  canary: z.strictObject({
    /** Minutes between runs of each synthetic check (the blueprint asks for every minute). */
    scheduleMinutes: z.number().int().min(1).max(60),
    /** Failed runs among the last `evaluationRuns` that declare the region's API down (pages). */
    failedRunsToAlarm: z.number().int().min(1).max(10),
    evaluationRuns: z.number().int().min(1).max(10),
    /** The uptime objective the canaries' success rate is shown against. */
    uptimeObjectivePercent: z.number().min(90).max(100),
    /** Days the canaries' screenshots, HAR files and logs are kept. */
    artifactRetentionDays: z.number().int().min(1).max(455),
    timeoutSeconds: z.number().int().min(3).max(60),
  }),
});

type Observability = z.infer<typeof observabilitySchema>;

/** Rules across fields. Issues carry their path from the config root. */
export function checkObservability(o: Observability, ctx: z.core.$RefinementCtx): void {
  const at = (...path: string[]) => ['observability', ...path];
  const { thresholds: t, canary } = o;
  if (t.errorRatePercent.warning >= t.errorRatePercent.critical) {
    ctx.addIssue({
      code: 'custom',
      path: at('thresholds', 'errorRatePercent', 'warning'),
      message: `must be below the critical error rate (${t.errorRatePercent.critical}%): a warning comes before the page`,
    });
  }
  const { p50, p95, p99 } = t.latencyObjectivesMs;
  if (!(p50 < p95 && p95 < p99)) {
    ctx.addIssue({ code: 'custom', path: at('thresholds', 'latencyObjectivesMs'), message: `percentile objectives must grow: p50 ${p50} < p95 ${p95} < p99 ${p99}` });
  }
  if (t.apiP95CriticalMs <= p95) {
    ctx.addIssue({
      code: 'custom',
      path: at('thresholds', 'apiP95CriticalMs'),
      message: `must be above the p95 objective (${p95} ms): missing the objective warns, only a far worse p95 pages`,
    });
  }
  if (canary.failedRunsToAlarm > canary.evaluationRuns) {
    ctx.addIssue({ code: 'custom', path: at('canary', 'failedRunsToAlarm'), message: `cannot exceed evaluationRuns (${canary.evaluationRuns})` });
  }
  if (canary.timeoutSeconds > canary.scheduleMinutes * 60) {
    ctx.addIssue({ code: 'custom', path: at('canary', 'timeoutSeconds'), message: `a run must finish before the next starts (${canary.scheduleMinutes * 60} s)` });
  }
}
