/**
 * The data tier's config: Aurora PostgreSQL global database, ElastiCache (Valkey) cache, AWS Backup.
 * DynamoDB global tables have nothing to size (on-demand) and take their protection from `deletionProtection`.
 *
 * Every rule below is one AWS enforces (or the blueprint asks for); see refineDataConfig for the rules
 * that need the rest of the config (regions, environment).
 */
import { z } from 'zod';
import type { RegionRole } from './schema';

/** Roles that read from a secondary cluster: the only ones that can forward writes. */
const NON_WRITER_ROLES = ['secondary', 'tertiary'] as const;

/**
 * ElastiCache prefixes every global datastore id with a code of the region that creates it, so a member
 * in another region must be given `<prefix>-<suffix>`. From the ElastiCache guide ("Using global
 * datastores (CLI)"); a primary region missing here fails validation instead of failing a deployment.
 */
export const GLOBAL_DATASTORE_ID_PREFIX: Readonly<Record<string, string>> = {
  'us-east-1': 'ldgnf',
  'us-east-2': 'fpkhr',
  'us-west-1': 'virxk',
  'us-west-2': 'sgaui',
  'ca-central-1': 'bxodz',
  'ap-south-1': 'erpgt',
  'ap-northeast-1': 'quwsw',
  'ap-northeast-2': 'lfqnh',
  'ap-northeast-3': 'nlapn',
  'ap-southeast-1': 'vlqxn',
  'ap-southeast-2': 'vbgxd',
  'ap-east-1': 'knjmp',
  'eu-central-1': 'iudkw',
  'eu-west-1': 'gxeiz',
  'eu-west-2': 'okuqm',
  'eu-west-3': 'fgjhi',
  'sa-east-1': 'juxlw',
  'cn-north-1': 'emvgo',
  'cn-northwest-1': 'ckbem',
};

/** Node families a global datastore accepts (ElastiCache guide, "Prerequisites and limitations"). */
export const GLOBAL_DATASTORE_NODE_FAMILIES = ['m5', 'm6g', 'm7g', 'r5', 'r6g', 'r6gd', 'r7g', 'c7gn'] as const;

/** Performance Insights keeps 7 days free, then whole months (31 days) up to 23, or 731 days. */
const PERFORMANCE_INSIGHTS_RETENTION_DAYS = [7, ...Array.from({ length: 23 }, (_, i) => (i + 1) * 31), 731];

const postgresIdentifier = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'expected a lowercase PostgreSQL identifier (letters, digits, _; 63 at most)');

const readerCounts = z
  .strictObject({
    /** Readers in the template: the auto-scaling floor (the writer of the primary is not counted). */
    readers: z.number().int().min(1, 'reader auto scaling needs at least one reader to exist'),
    /** The auto-scaling ceiling. */
    maxReaders: z.number().int().min(1),
  })
  .refine((r) => r.maxReaders >= r.readers, { message: 'maxReaders must be at least readers', path: ['maxReaders'] });

const auroraSchema = z
  .strictObject({
    /** Aurora PostgreSQL version: the 16 line or newer forwards writes from every minor version. */
    engineVersion: z
      .string()
      .regex(/^(1[6-9]|[2-9]\d)\.\d+$/, 'expected an Aurora PostgreSQL version of the 16 line or newer (global write forwarding), such as 16.8'),
    /**
     * One class for every instance of every region, so a secondary can take the writer's load:
     * `db.serverless` (Serverless v2) or a memory-optimized class of size large or bigger.
     */
    instanceClass: z
      .string()
      .regex(
        /^db\.(serverless|(r\d[a-z]*|x2[a-z]*)\.(large|\d*xlarge))$/,
        'an Aurora global database needs memory-optimized instances of size large or bigger (db.r6g.large, db.r7g.2xlarge, …) or db.serverless',
      ),
    /** Serverless v2 capacity (ACUs), required with db.serverless only. */
    serverlessCapacity: z
      .strictObject({ minAcu: z.number().min(0.5).max(256).multipleOf(0.5), maxAcu: z.number().min(1).max(256).multipleOf(0.5) })
      .refine((c) => c.maxAcu >= c.minAcu, { message: 'maxAcu must be at least minAcu', path: ['maxAcu'] })
      .optional(),
    /** The database created in every shard. */
    databaseName: postgresIdentifier,
    /**
     * Roles that log in through the proxies with IAM; the schema migration creates them (`GRANT rds_iam`).
     * The first is the application role: the trading engine logs in as it.
     */
    databaseUsers: z.array(postgresIdentifier).min(1),
    /** Horizontal shards, each its own global database; users map to shards by `user_id % shards` (docs/data.md, Shard map). */
    shards: z.number().int().min(1).max(8, 'at most 8 shards: the shard map must fit one SSM parameter (4 KB)'),
    instances: z.strictObject({
      primary: readerCounts.refine((r) => r.maxReaders <= 13, {
        message: 'the primary cluster holds at most 15 replicas less one per secondary region (13)',
        path: ['maxReaders'],
      }),
      secondary: readerCounts.refine((r) => r.maxReaders <= 16, { message: 'a secondary cluster holds at most 16 instances', path: ['maxReaders'] }),
      tertiary: readerCounts.refine((r) => r.maxReaders <= 16, { message: 'a secondary cluster holds at most 16 instances', path: ['maxReaders'] }),
    }),
    /** Target tracking on ReadReplicaCount: replicas are added when either target is exceeded. */
    readerScaling: z.strictObject({
      /** Average connections per reader: 80% of what the proxy may open to one instance. */
      targetConnections: z.number().int().min(1).max(5000),
      targetCpuPercent: z.number().int().min(10).max(90),
      scaleOutCooldownSeconds: z.number().int().min(0).max(3600),
      scaleInCooldownSeconds: z.number().int().min(0).max(3600),
    }),
    /** Secondary regions whose clusters forward writes to the writer (Aurora global write forwarding). */
    writeForwarding: z.array(z.enum(NON_WRITER_ROLES)),
    /** `rds.global_db_rpo`: commits wait when no secondary is within this many seconds; null leaves it off. */
    globalDbRpoSeconds: z.number().int().min(20, 'Aurora accepts an RPO of 20 seconds or more').nullable(),
    /** Continuous backups (point-in-time recovery) kept this many days. */
    backupRetentionDays: z.number().int().min(1).max(35, 'Aurora keeps 1 to 35 days of automated backups'),
    performanceInsightsRetentionDays: z
      .number()
      .refine((d) => PERFORMANCE_INSIGHTS_RETENTION_DAYS.includes(d), { message: 'expected 7, a multiple of 31 up to 713, or 731' }),
    /** Enhanced Monitoring granularity (0 turns it off). */
    monitoringIntervalSeconds: z.union([0, 1, 5, 10, 15, 30, 60].map((s) => z.literal(s))),
    proxy: z.strictObject({
      /** Share of each instance's max_connections the proxy may use: leave room for forwarded writes. */
      maxConnectionsPercent: z.number().int().min(1).max(100),
      idleClientTimeoutSeconds: z.number().int().min(1).max(28800),
    }),
  })
  .superRefine((a, ctx) => {
    const serverless = a.instanceClass === 'db.serverless';
    if (serverless && !a.serverlessCapacity) {
      ctx.addIssue({ code: 'custom', path: ['serverlessCapacity'], message: 'db.serverless needs serverlessCapacity (minAcu, maxAcu)' });
    }
    if (!serverless && a.serverlessCapacity) {
      ctx.addIssue({ code: 'custom', path: ['serverlessCapacity'], message: 'only db.serverless takes a serverless capacity' });
    }
  });

const cacheSchema = z
  .strictObject({
    /** Valkey: the Redis OSS protocol at a lower node price (see docs/data.md). */
    engine: z.enum(['valkey', 'redis']),
    /** major.minor, e.g. 8.0. Engines upgrade in place but never downgrade. */
    engineVersion: z.string().regex(/^\d+\.\d+$/, 'expected major.minor, such as 8.0'),
    /** Node-based only: serverless caches cannot join a global datastore. */
    nodeType: z
      .string()
      .regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, 'expected a node type such as cache.r7g.large (node-based: serverless caches cannot join a global datastore)'),
    /** Shards (node groups) in cluster mode; every member of a global datastore has the same count. */
    shards: z.number().int().min(1).max(500),
    /** Replicas per shard in each region: Multi-AZ automatic failover needs one at least. */
    replicasPerShard: z.strictObject({
      primary: z.number().int().min(1, 'Multi-AZ with automatic failover needs a replica per shard').max(5),
      secondary: z.number().int().min(1, 'Multi-AZ with automatic failover needs a replica per shard').max(5),
      tertiary: z.number().int().min(1, 'Multi-AZ with automatic failover needs a replica per shard').max(5),
    }),
    /** Which regions share one global datastore (primary writes, members read); the others keep a regional cache. */
    globalDatastore: z.enum(['off', 'primaryAndSecondary', 'allRegions']),
    /** Daily automatic snapshots kept this many days. */
    snapshotRetentionDays: z.number().int().min(1).max(35),
    /** UTC window of the daily snapshot, e.g. 03:00-04:00. */
    snapshotWindow: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'expected hh:mm-hh:mm (UTC)'),
  })
  .superRefine((c, ctx) => {
    const [major, minor] = c.engineVersion.split('.').map(Number);
    if (c.engine === 'valkey' && (major < 7 || (major === 7 && minor < 2))) {
      ctx.addIssue({ code: 'custom', path: ['engineVersion'], message: 'ElastiCache offers Valkey 7.2 and newer' });
    }
    if (c.globalDatastore === 'off') return;
    const [, family, size] = c.nodeType.split('.');
    if (!(GLOBAL_DATASTORE_NODE_FAMILIES as readonly string[]).includes(family) || !/^(large|\d*xlarge)$/.test(size ?? '')) {
      ctx.addIssue({
        code: 'custom',
        path: ['nodeType'],
        message: `a global datastore needs nodes of size large or bigger in the ${GLOBAL_DATASTORE_NODE_FAMILIES.join(', ')} families`,
      });
    }
    if (c.engine === 'redis' && major < 6) {
      ctx.addIssue({ code: 'custom', path: ['engineVersion'], message: 'a global datastore needs Redis OSS 5.0.6 or newer: use 6.0 or newer' });
    }
  });

const backupSchema = z.strictObject({
  /** Hour (UTC) the daily backup starts. */
  dailyAtUtcHour: z.number().int().min(0).max(23),
  /** Daily backups and their cross-region copies are kept this many days. */
  retentionDays: z.number().int().min(1).max(36500),
  /** Vault Lock: governance can be lifted by privileged users, compliance by nobody once its grace period ends. */
  vaultLock: z.enum(['off', 'governance', 'compliance']),
});

export const dataSchema = z.strictObject({
  /** Deletion protection on Aurora clusters and global clusters and DynamoDB tables (staging and prod). */
  deletionProtection: z.boolean(),
  aurora: auroraSchema,
  cache: cacheSchema,
  backup: backupSchema,
});

export type DataConfig = z.infer<typeof dataSchema>;

/** The cross-field rules: those that need the environment or the regions. */
export function refineDataConfig(
  c: { environment: string; regions: Record<RegionRole, { region: string }>; data: DataConfig },
  ctx: z.RefinementCtx,
): void {
  const primary = c.regions.primary.region;
  if (c.data.cache.globalDatastore !== 'off' && !(primary in GLOBAL_DATASTORE_ID_PREFIX)) {
    ctx.addIssue({
      code: 'custom',
      path: ['data', 'cache', 'globalDatastore'],
      message: `the global datastore id prefix of ${primary} is not known: add it to GLOBAL_DATASTORE_ID_PREFIX (lib/config/data.ts) from the ElastiCache guide, or turn the global datastore off`,
    });
  }
  if (c.environment === 'prod') {
    if (!c.data.deletionProtection) {
      ctx.addIssue({ code: 'custom', path: ['data', 'deletionProtection'], message: 'prod data must be protected from deletion' });
    }
    if (c.data.backup.vaultLock === 'off') {
      ctx.addIssue({ code: 'custom', path: ['data', 'backup', 'vaultLock'], message: 'prod backups must be locked against deletion' });
    }
  }
}
