/**
 * The platform's configuration: one zod schema, from which the TypeScript types are derived, so the
 * shape is written once and checked at synth time. Later issues add their own sections here.
 *
 * Every range below is what AWS accepts or what the blueprint asks for; a value outside it fails
 * synth with a message naming the field (see load.ts).
 */
import { z } from 'zod';
import { apiSchema } from './api';
import { checkMessaging, messagingSchema } from './messaging';
import { dataSchema, refineDataConfig } from './data';
import { checkTradingEngine, tradingEngineSchema } from './trading-engine';
import { checkRunbooks, runbooksSchema } from './runbooks';
import { checkObservability, observabilitySchema } from './observability';
import { checkWorkers, workersSchema } from './workers';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Roles decide what a region runs; region names are just config. */
export const REGION_ROLES = ['primary', 'secondary', 'tertiary'] as const;
export type RegionRole = (typeof REGION_ROLES)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Fargate's CPU / memory pairs: vCPU -> allowed memory in GiB (min, max, step). */
export const FARGATE_SIZES: Readonly<Record<number, { min: number; max: number; step: number }>> = {
  0.25: { min: 0.5, max: 2, step: 0.5 },
  0.5: { min: 1, max: 4, step: 1 },
  1: { min: 2, max: 8, step: 1 },
  2: { min: 4, max: 16, step: 1 },
  4: { min: 8, max: 30, step: 1 },
  8: { min: 16, max: 60, step: 4 },
  16: { min: 32, max: 120, step: 8 },
};

const regionName = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'expected an AWS region name such as us-east-1');

const regionSchema = z
  .strictObject({
    region: regionName,
    /** Exactly three, spelled out: synth never asks AWS which zones exist. */
    availabilityZones: z
      .array(z.string().regex(/^[a-z]{2}-[a-z]+-\d[a-z]$/, 'expected an availability zone name such as us-east-1a'))
      .length(3, 'expected exactly 3 availability zones'),
    /** The VPC's IPv4 block: a /16 to /20, distinct per region so regions can be peered later. */
    vpcCidr: z
      .string()
      .regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|20)$/, 'expected an IPv4 CIDR block from /16 to /20, such as 10.30.0.0/16'),
  })
  .refine((r) => r.availabilityZones.every((az) => az.startsWith(r.region)), {
    message: 'every availability zone must belong to the region',
    path: ['availabilityZones'],
  })
  .refine((r) => new Set(r.availabilityZones).size === 3, {
    message: 'availability zones must be distinct',
    path: ['availabilityZones'],
  });

const fargateSize = z
  .strictObject({
    vcpu: z.number().refine((v) => v in FARGATE_SIZES, { message: `expected one of ${Object.keys(FARGATE_SIZES).join(', ')} vCPU` }),
    memoryGiB: z.number().positive(),
  })
  .superRefine((s, ctx) => {
    const allowed = FARGATE_SIZES[s.vcpu];
    if (allowed && !(s.memoryGiB >= allowed.min && s.memoryGiB <= allowed.max && (s.memoryGiB - allowed.min) % allowed.step === 0)) {
      ctx.addIssue({
        code: 'custom',
        path: ['memoryGiB'],
        message: `Fargate allows ${allowed.min} to ${allowed.max} GiB in steps of ${allowed.step} for ${s.vcpu} vCPU`,
      });
    }
  });

export const configSchema = z
  .strictObject({
    /** Prefix of every stack and physical name: short, lowercase, DNS-safe. */
    app: z.string().regex(/^[a-z][a-z0-9]{1,11}$/, 'expected 2-12 lowercase letters or digits, starting with a letter'),
    environment: z.enum(ENVIRONMENTS),
    /** Billing tag on every resource. */
    costCentre: z.string().min(1).max(128),
    regions: z.strictObject({ primary: regionSchema, secondary: regionSchema, tertiary: regionSchema }),
    network: z.strictObject({
      /** One shared NAT gateway (cheap, one AZ's failure cuts egress) or one per AZ. */
      natGateways: z.enum(['one', 'perAz']),
      flowLogRetentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d))),
      /** Interface endpoints keep AWS API traffic off the NAT gateways (cost and blast radius). */
      interfaceEndpoints: z.boolean(),
    }),
    compute: z
      .strictObject({
        /** The largest task an environment may run (the blueprint's "base compute node"). */
        baseNode: fargateSize,
        /** The blueprint's floor: never fewer than 3 tasks per service. */
        minTasksPerService: z.number().int().min(3, 'the blueprint never runs fewer than 3 tasks per service').max(100),
        services: z.strictObject({ api: fargateSize, tradingEngine: fargateSize, websocket: fargateSize }),
      })
      .superRefine((c, ctx) => {
        for (const [name, size] of Object.entries(c.services)) {
          if (size.vcpu > c.baseNode.vcpu || size.memoryGiB > c.baseNode.memoryGiB) {
            ctx.addIssue({
              code: 'custom',
              path: ['services', name],
              message: `must fit the environment's base node (${c.baseNode.vcpu} vCPU / ${c.baseNode.memoryGiB} GiB)`,
            });
          }
        }
      }),
    budget: z.strictObject({
      monthlyUsd: z.number().int().positive().max(1_000_000),
      /** Percent of the monthly budget at which a notification is sent (actual and forecast spend). */
      alertThresholdsPercent: z.array(z.number().int().min(1).max(500)).min(1),
      alertEmails: z.array(z.email()),
    }),
    logs: z.strictObject({
      retentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d))),
    }),
    /** MSK in the trading-core regions, its topics, the ops event bus (lib/config/messaging.ts). */
    messaging: messagingSchema,
    /** Aurora, ElastiCache, DynamoDB and backups (lib/config/data.ts). */
    data: dataSchema,
    /** The trading engine on Fargate (lib/config/trading-engine.ts). */
    tradingEngine: tradingEngineSchema,
    /** The API tier: REST and WebSocket APIs, WAF, identity, cache TTLs (lib/config/api.ts). */
    api: apiSchema,
    /** The failover runbooks (lib/config/runbooks.ts). */
    runbooks: runbooksSchema,
    /** Alarm topics and subscriptions, thresholds, synthetic checks (lib/config/observability.ts). */
    observability: observabilitySchema,
    /** The event workers: notifications, reporting and its scheduled jobs (lib/config/workers.ts). */
    workers: workersSchema,
  })
  .superRefine((c, ctx) => {
    checkMessaging(c.messaging, c.environment, ctx);
    checkTradingEngine(c, ctx);
    checkRunbooks(c.runbooks, c.environment, ctx);
    checkObservability(c.observability, ctx);
    checkWorkers(c.workers, c.environment, ctx);
    const regions = REGION_ROLES.map((role) => c.regions[role].region);
    REGION_ROLES.forEach((role, i) => {
      if (regions.indexOf(regions[i]) !== i) {
        ctx.addIssue({ code: 'custom', path: ['regions', role, 'region'], message: 'each role needs its own region' });
      }
    });
    refineDataConfig(c, ctx);
  });

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** The validated configuration of one environment. */
export type PlatformConfig = DeepReadonly<z.infer<typeof configSchema>>;
/** What an environment file holds: the config before validation. */
export type EnvironmentFile = z.input<typeof configSchema>;
export type RegionConfig = PlatformConfig['regions']['primary'];
export type FargateSize = PlatformConfig['compute']['services']['api'];
export type DataPlatformConfig = PlatformConfig['data'];
export type TradingEngineConfig = PlatformConfig['tradingEngine'];
export type ApiPlatformConfig = PlatformConfig['api'];
export type RunbooksPlatformConfig = PlatformConfig['runbooks'];
export type ObservabilityConfig = PlatformConfig['observability'];
export type WorkersPlatformConfig = PlatformConfig['workers'];
