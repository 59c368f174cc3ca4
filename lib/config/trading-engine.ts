/**
 * The trading engine's config section: which image runs, how many tasks per region role, how it scales
 * on active trading users, and the paper broker's behaviour. Cross-section rules (tasks against the
 * partitions of the user-keyed topics, the blueprint's floor) live in schema.ts's top-level refinement.
 * The database is the data section's: the engine connects to every one of `data.aurora.shards` as the
 * application role, the first of `data.aurora.databaseUsers`.
 */
import { z } from 'zod';

/** ECS lets a Fargate container 2 to 120 s between SIGTERM and SIGKILL. */
export const FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120;

const ecrRepositoryName = z
  .string()
  .regex(/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'expected an ECR repository name such as team/trading-engine')
  .max(256);

/** A tag, or an immutable digest (preferred: a tag can be moved under a running service). */
const imageReference = z
  .string()
  .regex(/^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/, 'expected an image tag (1-128 of letters, digits, _ . -) or a digest sha256:<64 hex>');

const capacity = z
  .strictObject({
    /** Floor of running tasks. */
    minTasks: z.number().int().min(1).max(1000),
    /** Ceiling of running tasks; never more than the partitions of the user-keyed topics. */
    maxTasks: z.number().int().min(1).max(1000),
  })
  .refine((c) => c.minTasks <= c.maxTasks, { message: 'minTasks must not exceed maxTasks', path: ['minTasks'] });

const percent = z.number().int().min(10, 'expected 10-95 (percent)').max(95, 'expected 10-95 (percent)');
const seconds = (max: number) => z.number().int().min(0).max(max);

export const tradingEngineSchema = z.strictObject({
  /**
   * `asset`: services/trading-engine, built from the repository at deploy time. `ecr`: another engine's
   * image from an ECR repository of the same account, present in every region that runs the engine.
   */
  image: z.discriminatedUnion('source', [
    z.strictObject({ source: z.literal('asset') }),
    z.strictObject({ source: z.literal('ecr'), repositoryName: ecrRepositoryName, tag: imageReference }),
  ]),
  /** Tasks per region role: the primary at full size, the secondary warm (the failover runbook raises it). */
  capacity: z.strictObject({ primary: capacity, secondary: capacity }),
  scaling: z.strictObject({
    /** Target tracking on sum(ActiveTradingUsers) / RunningTaskCount. */
    targetActiveUsersPerTask: z.number().int().min(1).max(100_000),
    /** A user is active for this long after a signal, order or position change. */
    activeWindowMinutes: z.number().int().min(1).max(60),
    /** Time after a scale-out before another can add on top of it (AWS default 300 s is too slow for spikes). */
    scaleOutCooldownSeconds: seconds(3600),
    /** Time after a scale-in before the next scale-in. */
    scaleInCooldownSeconds: seconds(3600),
    /** Back-stop target tracking on average CPU utilization. */
    cpuTargetPercent: percent,
    /** Back-stop target tracking on average memory utilization. */
    memoryTargetPercent: percent,
  }),
  /** Executes every order at the signal's price moved against the user by the slippage, after the latency. */
  paperBroker: z.strictObject({
    slippageBps: z.number().min(0).max(1000, 'expected 0-1000 basis points'),
    latencyMs: z.number().int().min(0).max(10_000),
    /** Taker fee charged on each fill, in the quote currency. */
    feeBps: z.number().min(0).max(1000, 'expected 0-1000 basis points'),
    /** Order size in the quote currency when a signal carries no quantity. */
    defaultOrderNotional: z.string().regex(/^\d{1,12}(\.\d{1,8})?$/, 'expected a positive decimal string such as "1000"'),
  }),
  /** Pairs the engine trades; a signal for any other symbol is dead-lettered. */
  symbols: z
    .array(z.string().regex(/^[A-Z0-9]{2,12}-[A-Z0-9]{2,12}$/, 'expected a BASE-QUOTE pair such as BTC-USD'))
    .min(1)
    .refine((s) => new Set(s).size === s.length, { message: 'symbols must be distinct' }),
  /** SIGTERM to SIGKILL: the engine drains (finishes and commits in-flight records) within it. */
  stopTimeoutSeconds: z.number().int().min(10).max(FARGATE_MAX_STOP_TIMEOUT_SECONDS, `Fargate allows at most ${FARGATE_MAX_STOP_TIMEOUT_SECONDS} s`),
  /** How often a task re-reads the region's kill switch parameter. */
  killSwitchPollSeconds: z.number().int().min(1).max(60),
});

export type TradingEngineConfigInput = z.input<typeof tradingEngineSchema>;

/** The topic the engine's consumer group reads: its partitions are the user shards tasks share. */
export const ENGINE_CONSUMED_TOPIC = 'trading.signals';

interface EngineContext {
  readonly compute: { readonly minTasksPerService: number };
  readonly messaging: { readonly kafka: { readonly topics: Readonly<Record<string, { readonly partitions: number }>> } };
  readonly tradingEngine: z.infer<typeof tradingEngineSchema>;
}

/** Rules across sections: the blueprint's floor in the primary, and no task without a partition. */
export function checkTradingEngine(c: EngineContext, ctx: z.core.$RefinementCtx): void {
  const { capacity } = c.tradingEngine;
  // The primary runs at least the blueprint's floor; the secondary is a warm standby the runbook raises.
  if (capacity.primary.minTasks < c.compute.minTasksPerService) {
    ctx.addIssue({
      code: 'custom',
      path: ['tradingEngine', 'capacity', 'primary', 'minTasks'],
      message: `must be at least compute.minTasksPerService (${c.compute.minTasksPerService})`,
    });
  }
  // A consumer group gives each partition to one member: tasks beyond the partition count sit idle.
  const partitions = c.messaging.kafka.topics[ENGINE_CONSUMED_TOPIC].partitions;
  for (const role of ['primary', 'secondary'] as const) {
    if (capacity[role].maxTasks > partitions) {
      ctx.addIssue({
        code: 'custom',
        path: ['tradingEngine', 'capacity', role, 'maxTasks'],
        message: `must not exceed the ${partitions} partitions of ${ENGINE_CONSUMED_TOPIC} (messaging.kafka.topics): each task needs a partition of users`,
      });
    }
  }
}
