/**
 * The failover runbooks' config section (operations stack, regions that can take over): the RPO budget
 * the go / no-go weighs replication lag against, how long the primary's region-health alarm must stay in
 * ALARM before an automatic evacuation, the lock lease and cool-down, who must approve what, how traffic
 * moves, the typical step durations the drill models, and the game-day schedule.
 */
import { z } from 'zod';
import type { EnvironmentName } from './schema';

/** The steps of a region evacuation, in order; the drill models each with `stepDurationsSeconds`. */
export const EVACUATION_STEPS = [
  'prepare',
  'acquireLock',
  'assess',
  'killSwitch',
  'failoverDatabase',
  'failoverCache',
  'raiseCapacity',
  'moveConsumers',
  'moveTraffic',
  'resumeTrading',
  'verify',
  'finish',
] as const;
export type EvacuationStep = (typeof EVACUATION_STEPS)[number];

const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

/** EventBridge Scheduler's cron form: cron(minutes hours day-of-month month day-of-week year). */
const schedulerCron = z.string().regex(/^cron\((\S+ ){5}\S+\)$/, 'expected an EventBridge Scheduler cron expression such as cron(0 10 ? * TUE *)');

export const runbooksSchema = z.strictObject({
  /** The most replication lag (Aurora, cache, MSK Replicator, the worst of them) a failover may lose. */
  rpoBudgetSeconds: seconds(1, 900),
  /** The primary's region-health alarm must still be in ALARM this long after it fired (flapping guard). */
  alarmSustainMinutes: seconds(1, 60),
  /** After an automatic execution, automatic triggers are suppressed this long (a human can still ask). */
  coolDownMinutes: seconds(0, 1440),
  /** The one-runbook-at-a-time lock expires after this long, so a crashed execution cannot hold it forever. */
  lockLeaseMinutes: seconds(15, 720),
  approval: z.strictObject({
    /**
     * Unplanned failover that may lose data (measured lag > 0): `always` asks a human; `overBudget` asks only
     * when the lag exceeds the budget. Prod always asks (refined below).
     */
    unplannedDataLoss: z.enum(['always', 'overBudget']),
    /** Planned switchovers and failbacks (no data loss): ask a human first, or not. */
    planned: z.boolean(),
    /** How long a request for approval waits before the runbook aborts. */
    timeoutMinutes: seconds(5, 1440),
  }),
  /**
   * Traffic: `route53` flips the weights of the regional records of `recordName` in `hostedZoneId` (target
   * 100, source 0). `arc` (Route 53 ARC routing controls) is accepted by config but not implemented yet:
   * synth refuses it (see docs/runbooks/README.md).
   */
  traffic: z.strictObject({
    mode: z.enum(['route53', 'arc']),
    /** @default none: the traffic step records "no hosted zone configured" and moves nothing. */
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, 'expected a Route 53 hosted zone id such as Z0123456789ABC').optional(),
    /** The record whose weighted set identifiers are the region names. */
    recordName: z.string().min(1).max(253).optional(),
  }),
  /** How often a waiting step (Aurora, cache failover) polls, and how long it may take before it pages. */
  pollSeconds: seconds(5, 300),
  stepTimeoutMinutes: seconds(1, 60),
  /** Typical durations of each evacuation step (AWS's published figures; the drill's model). */
  stepDurationsSeconds: z.strictObject(Object.fromEntries(EVACUATION_STEPS.map((s) => [s, seconds(0, 3600)])) as Record<EvacuationStep, ReturnType<typeof seconds>>),
  /** Game days: EventBridge Scheduler runs the region evacuation in dry-run mode on this schedule. */
  gameDays: z.strictObject({ enabled: z.boolean(), schedule: schedulerCron, timezone: z.string().min(1).max(50) }),
});

export type RunbooksConfig = z.infer<typeof runbooksSchema>;

/** Cross-field and per-environment rules. */
export function checkRunbooks(r: RunbooksConfig, environment: EnvironmentName, ctx: z.RefinementCtx): void {
  const at = (...path: string[]) => ['runbooks', ...path];
  if (environment === 'prod' && r.approval.unplannedDataLoss !== 'always') {
    ctx.addIssue({ code: 'custom', path: at('approval', 'unplannedDataLoss'), message: 'prod asks a human before every failover that may lose data: expected "always"' });
  }
  if (r.traffic.mode === 'arc') {
    ctx.addIssue({ code: 'custom', path: at('traffic', 'mode'), message: 'ARC routing controls are not implemented yet: use "route53"' });
  }
  if (Boolean(r.traffic.hostedZoneId) !== Boolean(r.traffic.recordName)) {
    ctx.addIssue({ code: 'custom', path: at('traffic', 'recordName'), message: 'hostedZoneId and recordName go together' });
  }
  if (r.lockLeaseMinutes * 60 < r.alarmSustainMinutes * 60 + r.approval.timeoutMinutes * 60) {
    ctx.addIssue({ code: 'custom', path: at('lockLeaseMinutes'), message: 'the lock lease must outlast the alarm sustain time plus the approval timeout' });
  }
}

/** AWS's typical figures: Aurora promotion "usually under a minute", global datastore failover "about a minute". */
export const TYPICAL_STEP_DURATIONS_SECONDS: Readonly<Record<EvacuationStep, number>> = {
  prepare: 1,
  acquireLock: 1,
  assess: 5,
  killSwitch: 10,
  failoverDatabase: 60,
  failoverCache: 60,
  raiseCapacity: 90,
  moveConsumers: 30,
  moveTraffic: 60,
  resumeTrading: 5,
  verify: 30,
  finish: 2,
};
