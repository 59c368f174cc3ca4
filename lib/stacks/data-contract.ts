/**
 * The data tier's contract: what the data stack of a region publishes and how every later stack (engine,
 * API, workers, runbooks) reaches Aurora, the cache and the DynamoDB tables of its own region.
 *
 *   const data = DataContract.of(this);                // in any PlatformStack of the region
 *   data.databaseClients                               // attach to tasks/functions that talk PostgreSQL
 *   data.shard(0).proxyEndpoint; data.grantConnect(role, 0, 'app')
 *   data.cache.configurationEndpoint; data.cache.authSecret.grantRead(role)
 *   data.table('idempotency').grantReadWriteData(role)
 *
 * Names that are deterministic (tables, secrets, proxies, clusters) come from `dataNames`; values AWS
 * generates (endpoints, ARNs, security group ids) are read from SSM at deploy time. Everything is also
 * in SSM under /<app>/<env>/data/… for tools that are not CDK (see docs/data.md).
 */
import { ArnFormat } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { PlatformConfig, RegionRole } from '../config';
import type { Naming } from '../naming';
import { importDataKey } from './keys-stack';
import type { PlatformStack } from './platform-stack';

/** PostgreSQL's port: RDS Proxy listens on no other. */
export const DATABASE_PORT = 5432;
/** The cache's port (TLS). */
export const CACHE_PORT = 6379;

/**
 * The DynamoDB global tables (created in the primary, replicated to every region). Key and TTL names are
 * part of the contract: consumers import them from here.
 */
export const DATA_TABLES = {
  /** Runbook executions, their step records and the one-runbook-at-a-time lock (a lease item that expires). */
  runbook: { suffix: 'runbook', partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' },
  /** Live WebSocket connections; `byUser` finds every connection of a user. */
  connections: {
    suffix: 'ws-connections',
    partitionKey: 'connectionId',
    ttlAttribute: 'expiresAt',
    indexes: { byUser: { partitionKey: 'userId', sortKey: 'connectionId' } },
  },
  /** Idempotency records in Powertools' default layout (`id`, TTL on `expiration`). */
  idempotency: { suffix: 'idempotency', partitionKey: 'id', ttlAttribute: 'expiration' },
} as const;
export type DataTableName = keyof typeof DATA_TABLES;

/** How this region's cache takes part in the global datastore. */
export type CacheMembership = 'globalPrimary' | 'globalMember' | 'regional';

export function cacheMembership(config: PlatformConfig, role: RegionRole): CacheMembership {
  const mode = config.data.cache.globalDatastore;
  if (mode === 'off') return 'regional';
  if (role === 'primary') return 'globalPrimary';
  if (role === 'secondary' || mode === 'allRegions') return 'globalMember';
  return 'regional';
}

/** Every data-tier physical name, from the naming module's scheme. */
export function dataNames(naming: Naming) {
  return {
    /** Global cluster of shard `i`: one name for all regions. */
    globalCluster: (shard: number) => naming.physicalName('pg', String(shard)),
    /** Cluster identifiers must be unique across the regions of a global database. */
    cluster: (region: string, shard: number) => naming.regionalPhysicalName(region, 'pg', String(shard)),
    proxy: (shard: number) => naming.physicalName('pg', String(shard)),
    /** The master secret lives in the primary and is replicated to every region under the same name. */
    masterSecret: (shard: number) => naming.physicalName('pg', String(shard), 'master'),
    cacheReplicationGroup: naming.physicalName('cache'),
    /** ElastiCache prefixes it with the primary region's code: `<prefix>-<suffix>`. */
    globalDatastoreSuffix: naming.physicalName('cache'),
    /** The AUTH token belongs to the region that owns the replication group (the primary, for members). */
    cacheAuthSecret: (ownerRegion: string) => naming.physicalName('cache', 'auth', ownerRegion),
    table: (name: DataTableName) => naming.physicalName(DATA_TABLES[name].suffix),
    backupVault: naming.physicalName('backup'),
  };
}

/** SSM keys under /<app>/<env>/data/…, shared by the producer (DataStack) and the reader below. */
export const DATA_PARAMETERS = {
  shardMap: ['aurora', 'shard-map'],
  shard: (shard: number, key: ShardParameter) => ['aurora', 'shards', String(shard), key],
  databaseClients: ['security-groups', 'database-clients'],
  cacheClients: ['security-groups', 'cache-clients'],
  cacheEndpoint: ['cache', 'configuration-endpoint'],
  cacheAuthSecretName: ['cache', 'auth-secret-name'],
  tableName: (name: DataTableName) => ['tables', name, 'name'],
} as const;

export const SHARD_PARAMETERS = [
  'cluster-identifier',
  'cluster-endpoint',
  'reader-endpoint',
  'proxy-arn',
  'proxy-endpoint',
  'proxy-read-only-endpoint',
  'master-secret-name',
] as const;
export type ShardParameter = (typeof SHARD_PARAMETERS)[number];

/** One shard's endpoints in this region. */
export interface ShardEndpoints {
  readonly shard: number;
  /** Writer endpoint: serves writes in the writer region only (in the others, after a promotion). */
  readonly clusterEndpoint: string;
  readonly readerEndpoint: string;
  /** The proxy's read/write endpoint: IAM auth, TLS. Fails in a secondary region until it is promoted. */
  readonly proxyEndpoint: string;
  /** The proxy's read-only endpoint: readers of this region (which forward writes where config says so). */
  readonly proxyReadOnlyEndpoint: string;
  readonly proxy: rds.IDatabaseProxy;
}

export interface CacheEndpoint {
  /** Cluster-mode configuration endpoint (TLS, AUTH). */
  readonly configurationEndpoint: string;
  readonly port: number;
  /** The AUTH token: a secret whose SecretString is the token. */
  readonly authSecret: secretsmanager.ISecret;
}

/** The data tier of the caller's region, as CDK constructs and deploy-time tokens. */
export class DataContract {
  /** The contract seen from `scope` (one per stack). */
  static of(scope: PlatformStack): DataContract {
    const existing = CONTRACTS.get(scope);
    if (existing) return existing;
    const contract = new DataContract(scope);
    CONTRACTS.set(scope, contract);
    return contract;
  }

  readonly databaseName: string;
  readonly databasePort = DATABASE_PORT;
  /** Roles that may log in through the proxies (IAM authentication). */
  readonly databaseUsers: readonly string[];
  readonly shardCount: number;

  private readonly names: ReturnType<typeof dataNames>;
  private readonly shards = new Map<number, ShardEndpoints>();
  private cacheEndpoint?: CacheEndpoint;
  private clientGroups = new Map<string, ec2.ISecurityGroup>();
  private tables = new Map<DataTableName, dynamodb.ITable>();
  private key?: kms.IKey;

  private constructor(private readonly scope: PlatformStack) {
    const { aurora } = scope.config.data;
    this.databaseName = aurora.databaseName;
    this.databaseUsers = aurora.databaseUsers;
    this.shardCount = aurora.shards;
    this.names = dataNames(scope.naming);
  }

  /** Security group to attach to anything that talks PostgreSQL (it carries the egress to the proxies). */
  get databaseClients(): ec2.ISecurityGroup {
    return this.clientGroup('DatabaseClients', DATA_PARAMETERS.databaseClients);
  }

  /** Security group to attach to anything that talks to the cache. */
  get cacheClients(): ec2.ISecurityGroup {
    return this.clientGroup('CacheClients', DATA_PARAMETERS.cacheClients);
  }

  /** The endpoints of shard `index` (0 ≤ index < shardCount) in this region. */
  shard(index: number): ShardEndpoints {
    if (!Number.isInteger(index) || index < 0 || index >= this.shardCount) {
      throw new Error(`shard ${index} does not exist: config has ${this.shardCount} shard(s), 0 to ${this.shardCount - 1}`);
    }
    let endpoints = this.shards.get(index);
    if (!endpoints) {
      // Each value is read from SSM on first use, so a consumer's template holds only the parameters it uses.
      const read = (key: ShardParameter) => this.read(...DATA_PARAMETERS.shard(index, key));
      const { scope, names } = this;
      let proxy: rds.IDatabaseProxy | undefined;
      endpoints = {
        shard: index,
        get clusterEndpoint() {
          return read('cluster-endpoint');
        },
        get readerEndpoint() {
          return read('reader-endpoint');
        },
        get proxyEndpoint() {
          return read('proxy-endpoint');
        },
        get proxyReadOnlyEndpoint() {
          return read('proxy-read-only-endpoint');
        },
        get proxy() {
          return (proxy ??= rds.DatabaseProxy.fromDatabaseProxyAttributes(scope, `DataShard${index}Proxy`, {
            dbProxyName: names.proxy(index),
            dbProxyArn: read('proxy-arn'),
            endpoint: read('proxy-endpoint'),
            securityGroups: [],
          }));
        },
      };
      this.shards.set(index, endpoints);
    }
    return endpoints;
  }

  /** Lets `grantee` log in as `dbUser` through the proxy of shard `index` (IAM database authentication). */
  grantConnect(grantee: iam.IGrantable, index: number, dbUser: string): iam.Grant {
    if (!this.databaseUsers.includes(dbUser)) {
      throw new Error(`database user "${dbUser}" cannot log in through the proxies: data.aurora.databaseUsers allows ${this.databaseUsers.join(', ')}`);
    }
    this.shard(index); // refuses a shard that does not exist
    // rds-db:connect on arn:…:dbuser:<proxy resource id>/<user>, as DatabaseProxy.grantConnect builds it, from
    // the proxy's ARN alone (the grant needs no endpoint).
    const proxyArn = this.read(...DATA_PARAMETERS.shard(index, 'proxy-arn'));
    const proxyId = this.scope.splitArn(proxyArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [this.scope.formatArn({ service: 'rds-db', resource: 'dbuser', resourceName: `${proxyId}/${dbUser}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    });
  }

  /** The master credentials of shard `index` (administration and migrations only; applications use IAM). */
  masterSecret(index: number): secretsmanager.ISecret {
    return this.secret(`DataShard${index}MasterSecret`, this.names.masterSecret(index));
  }

  get cache(): CacheEndpoint {
    if (!this.cacheEndpoint) {
      this.cacheEndpoint = {
        configurationEndpoint: this.read(...DATA_PARAMETERS.cacheEndpoint),
        port: CACHE_PORT,
        authSecret: this.secret('DataCacheAuthSecret', this.names.cacheAuthSecret(cacheAuthOwnerRegion(this.scope.config, this.scope.role))),
      };
    }
    return this.cacheEndpoint;
  }

  /** The region's replica of a global table; grants include its key. */
  table(name: DataTableName): dynamodb.ITable {
    let table = this.tables.get(name);
    if (!table) {
      table = dynamodb.Table.fromTableAttributes(this.scope, `DataTable-${name}`, {
        tableName: this.names.table(name),
        encryptionKey: this.dataKey,
        grantIndexPermissions: true,
      });
      this.tables.set(name, table);
    }
    return table;
  }

  /** The region's data key (tables, secrets, cache). */
  get dataKey(): kms.IKey {
    return (this.key ??= importDataKey(this.scope));
  }

  /** A secret of this region by name (a replica where the primary owns it); reading it needs the region's key. */
  private secret(id: string, name: string): secretsmanager.ISecret {
    return secretsmanager.Secret.fromSecretAttributes(this.scope, id, {
      secretPartialArn: this.scope.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      encryptionKey: this.dataKey,
    });
  }

  private clientGroup(id: string, path: readonly string[]): ec2.ISecurityGroup {
    let group = this.clientGroups.get(id);
    if (!group) {
      // Immutable: a consumer never adds rules to the data stack's groups (that would create cross-stack edits).
      group = ec2.SecurityGroup.fromSecurityGroupId(this.scope, `Data${id}`, this.read(...path), { mutable: false });
      this.clientGroups.set(id, group);
    }
    return group;
  }

  private read(...path: string[]): string {
    return ssm.StringParameter.valueForStringParameter(this.scope, this.scope.naming.parameter('data', ...path));
  }
}

const CONTRACTS = new WeakMap<PlatformStack, DataContract>();

/** The region whose secret holds this region's cache AUTH token. */
export function cacheAuthOwnerRegion(config: PlatformConfig, role: RegionRole): string {
  return cacheMembership(config, role) === 'globalMember' ? config.regions.primary.region : config.regions[role].region;
}
