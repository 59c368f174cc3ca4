/**
 * The engine's settings, from environment variables the task definition sets. They carry names only
 * (SSM parameter names, the consumer group, the metric's dimensions) and tuning values, never a secret
 * or an endpoint that can move: endpoints are read from SSM at start, credentials come from the task
 * role (IAM tokens for MSK and RDS Proxy).
 */
import { z } from 'zod';

const csv = z
  .string()
  .min(1)
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const settingsSchema = z.object({
  AWS_REGION: z.string().min(1),
  /** SSM parameter holding the MSK bootstrap brokers for IAM auth (comma-separated host:port). */
  ENGINE_BROKERS_PARAMETER: z.string().startsWith('/'),
  /** SSM parameter holding the data tier's shard map (JSON: database, port, each shard's proxy endpoint). */
  ENGINE_SHARD_MAP_PARAMETER: z.string().startsWith('/'),
  /** The database role the task logs in as with IAM authentication (no password exists). */
  ENGINE_DB_USER: z.string().min(1),
  /** Connections per shard and task (RDS Proxy pools them behind). */
  ENGINE_DB_POOL_SIZE: int(1, 100).default(10),
  /** SSM parameter of the region's kill switch (`on` halts trading). */
  ENGINE_KILL_SWITCH_PARAMETER: z.string().startsWith('/'),
  ENGINE_KILL_SWITCH_POLL_SECONDS: int(1, 60).default(5),
  /** The consumer group of every engine task in the region (its members share the user partitions). */
  ENGINE_GROUP_ID: z.string().min(1),
  ENGINE_PARTITIONS_CONCURRENTLY: int(1, 64).default(8),
  ENGINE_SYMBOLS: csv,
  ENGINE_SLIPPAGE_BPS: z.coerce.number().min(0).max(1000),
  ENGINE_LATENCY_MS: int(0, 10_000),
  ENGINE_FEE_BPS: z.coerce.number().min(0).max(1000),
  ENGINE_DEFAULT_ORDER_NOTIONAL: z.string().regex(/^\d+(\.\d+)?$/),
  ENGINE_ACTIVE_WINDOW_MINUTES: int(1, 60),
  ENGINE_METRIC_NAMESPACE: z.string().min(1),
  ENGINE_CLUSTER_NAME: z.string().min(1),
  ENGINE_SERVICE_NAME: z.string().min(1),
  /** Time the drain may take after SIGTERM (the task's stop timeout less a margin). */
  ENGINE_DRAIN_SECONDS: int(1, 120),
  PORT: int(1, 65535).default(8080),
});

export type Settings = z.output<typeof settingsSchema>;

/** Parses the environment; the error names every missing or bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const result = settingsSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  throw new Error(`trading engine settings are invalid:\n  ${problems.join('\n  ')}`);
}
