/**
 * The data tier of one region, by role: the Aurora global database's clusters and proxies (the writer and
 * the global clusters in the primary), the cache (primary or member of the global datastore, or regional),
 * the DynamoDB global tables (created in the primary, replicated everywhere) and the region's backup plan.
 *
 * It wires constructs and publishes what consumers need under /<app>/<env>/data/…; `DataContract`
 * (data-contract.ts) reads it back in the stacks that follow.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { REGION_ROLES, ROLE_CAPABILITIES } from '../config';
import { AuroraGlobalDatabase } from '../constructs/aurora-global-database';
import { Cache } from '../constructs/cache';
import { GlobalTables } from '../constructs/global-tables';
import { RegionalBackup } from '../constructs/regional-backup';
import {
  CACHE_PORT,
  cacheMembership,
  DATA_PARAMETERS,
  DATA_TABLES,
  DATABASE_PORT,
  dataNames,
  type DataTableName,
  type ShardParameter,
} from './data-contract';
import { dataKeyAliasArn, importDataKey } from './keys-stack';
import { importPlatformVpc } from './network-stack';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

export class DataStack extends PlatformStack {
  readonly aurora: AuroraGlobalDatabase;
  readonly cache: Cache;
  /** Writer region only. */
  readonly tables?: GlobalTables;
  readonly backup: RegionalBackup;
  readonly databaseClients: ec2.SecurityGroup;
  readonly cacheClients: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description' | 'stateful'>) {
    super(scope, id, {
      ...props,
      stateful: true,
      description: `Data tier of the ${props.role} region: Aurora global database, cache, DynamoDB global tables, backups`,
    });
    const names = dataNames(this.naming);
    const isWriter = ROLE_CAPABILITIES[this.role].isWriterRegion;
    const vpc = importPlatformVpc(this);
    const key = importDataKey(this);
    const regionOf = (role: (typeof REGION_ROLES)[number]) => this.config.regions[role].region;
    const otherRegions = REGION_ROLES.filter((role) => role !== this.role).map(regionOf);
    const keysOf = (regions: string[]) => Object.fromEntries(regions.map((region) => [region, dataKeyAliasArn(this, region)]));

    // Later stacks attach these to their tasks and functions: they carry the egress to the stores, and the
    // stores admit nothing else (see docs/data.md).
    this.databaseClients = new ec2.SecurityGroup(this, 'DatabaseClients', {
      vpc,
      description: 'Database clients: attach to what talks PostgreSQL (reaches the proxies and clusters on 5432)',
      allowAllOutbound: false,
    });
    this.cacheClients = new ec2.SecurityGroup(this, 'CacheClients', {
      vpc,
      description: 'Cache clients: attach to what talks to the cache (reaches it on 6379)',
      allowAllOutbound: false,
    });

    this.aurora = new AuroraGlobalDatabase(this, 'Aurora', {
      config: this.config,
      role: this.role,
      naming: this.naming,
      vpc,
      key,
      clients: this.databaseClients,
      removalPolicy: this.dataRemovalPolicy,
      logRetention: this.logRetention,
      secretReplicaKeys: isWriter ? keysOf(otherRegions) : undefined,
    });

    const cacheMembers = REGION_ROLES.filter((role) => cacheMembership(this.config, role) === 'globalMember').map(regionOf);
    this.cache = new Cache(this, 'Cache', {
      config: this.config,
      role: this.role,
      naming: this.naming,
      vpc,
      key,
      clients: this.cacheClients,
      removalPolicy: this.dataRemovalPolicy,
      memberKeys: keysOf(cacheMembers),
    });

    if (isWriter) {
      this.tables = new GlobalTables(this, 'Tables', {
        naming: this.naming,
        key,
        replicaKeys: keysOf(otherRegions),
        deletionProtection: this.config.data.deletionProtection,
        removalPolicy: this.dataRemovalPolicy,
      });
    }

    const tableNames = Object.keys(DATA_TABLES) as DataTableName[];
    this.backup = new RegionalBackup(this, 'Backup', {
      backup: this.config.data.backup,
      vaultName: names.backupVault,
      planName: this.naming.physicalName('daily', this.region),
      key,
      // The primary's copies go to the failover region; every other region's to the primary.
      copyToRegion: regionOf(this.role === 'primary' ? 'secondary' : 'primary'),
      resourceArns: [
        // Aurora is backed up where it is written: a secondary cluster holds the same volume.
        ...(isWriter ? this.aurora.shards.map((shard) => shard.clusterArn) : []),
        ...tableNames.map((name) => this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: names.table(name) })),
      ],
      removalPolicy: this.dataRemovalPolicy,
    });
    // A replica (and its key) must exist before its region's plan selects it.
    if (this.tables) this.backup.node.addDependency(...Object.values(this.tables.tables));

    this.publish(tableNames);
  }

  private publish(tableNames: DataTableName[]): void {
    const put = (path: readonly string[], value: string, description: string) =>
      new ssm.StringParameter(this, `Param-${path.join('-')}`, {
        parameterName: this.naming.parameter('data', ...path),
        stringValue: value,
        description,
      });

    const shardMap = this.aurora.shards.map((shard, index) => {
      const values: Record<ShardParameter, string> = {
        'cluster-identifier': shard.clusterIdentifier,
        'cluster-endpoint': shard.clusterEndpoint,
        'reader-endpoint': shard.readerEndpoint,
        'proxy-arn': shard.proxy.dbProxyArn,
        'proxy-endpoint': shard.proxy.endpoint,
        'proxy-read-only-endpoint': shard.proxyReadOnlyEndpoint,
        'master-secret-name': shard.masterSecretName,
      };
      for (const [key, value] of Object.entries(values)) put(DATA_PARAMETERS.shard(index, key as ShardParameter), value, `Aurora shard ${index}: ${key}`);
      return {
        shard: index,
        clusterEndpoint: shard.clusterEndpoint,
        readerEndpoint: shard.readerEndpoint,
        proxyEndpoint: shard.proxy.endpoint,
        proxyReadOnlyEndpoint: shard.proxyReadOnlyEndpoint,
      };
    });
    const { aurora } = this.config.data;
    put(
      DATA_PARAMETERS.shardMap,
      this.toJsonString({
        version: 1,
        shardKey: 'user_id % shardCount',
        shardCount: aurora.shards,
        region: this.region,
        port: DATABASE_PORT,
        database: aurora.databaseName,
        shards: shardMap,
      }),
      'Aurora shard map of this region (JSON): shard = user_id % shardCount, then that shard\'s endpoints',
    );

    put(DATA_PARAMETERS.databaseClients, this.databaseClients.securityGroupId, 'Security group to attach to PostgreSQL clients');
    put(DATA_PARAMETERS.cacheClients, this.cacheClients.securityGroupId, 'Security group to attach to cache clients');
    put(DATA_PARAMETERS.cacheEndpoint, this.cache.configurationEndpoint, `Cache configuration endpoint (TLS, AUTH, port ${CACHE_PORT})`);
    put(DATA_PARAMETERS.cacheAuthSecretName, this.cache.authSecretName, 'Name of the secret holding the cache AUTH token');
    if (this.cache.globalDatastoreId) put(['cache', 'global-datastore-id'], this.cache.globalDatastoreId, 'Global datastore this cache belongs to');
    for (const name of tableNames) put(DATA_PARAMETERS.tableName(name), dataNames(this.naming).table(name), `DynamoDB global table: ${name}`);
  }
}
