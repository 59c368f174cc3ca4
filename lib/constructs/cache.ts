/**
 * The region's cache: a Valkey (or Redis OSS) replication group in cluster mode, Multi-AZ with automatic
 * failover, TLS and at-rest encryption with the region's key, an AUTH token from Secrets Manager and daily
 * snapshots. Depending on config it is
 *
 * - `globalPrimary`: the primary of the global datastore, created here (the AUTH secret is replicated to
 *   the member regions, since members use the primary's token);
 * - `globalMember`: a secondary of that datastore, which inherits engine, node type, shard count,
 *   encryption, Multi-AZ and AUTH from the primary (AWS rejects them on a member);
 * - `regional`: a cache of its own.
 */
import { Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { GLOBAL_DATASTORE_ID_PREFIX, type PlatformConfig, type RegionRole } from '../config';
import type { Naming } from '../naming';
import { CACHE_PORT, cacheAuthOwnerRegion, cacheMembership, dataNames, type CacheMembership } from '../stacks/data-contract';

/** Apart from the snapshot window (config) and the database's maintenance window. */
const MAINTENANCE_WINDOW = 'sun:07:00-sun:08:00';

export interface CacheProps {
  readonly config: PlatformConfig;
  readonly role: RegionRole;
  readonly naming: Naming;
  readonly vpc: ec2.IVpc;
  readonly key: kms.IKey;
  /** The only group admitted to the cache port. */
  readonly clients: ec2.ISecurityGroup;
  readonly removalPolicy: RemovalPolicy;
  /** Global primary only: region -> data key alias ARN of each member region, for the AUTH secret's replicas. */
  readonly memberKeys?: Readonly<Record<string, string>>;
}

export class Cache extends Construct {
  readonly membership: CacheMembership;
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly configurationEndpoint: string;
  /** The secret (in this region, possibly a replica) whose value is the AUTH token. */
  readonly authSecretName: string;
  /** `<prefix>-<suffix>` when this region is in the global datastore. */
  readonly globalDatastoreId?: string;
  readonly globalDatastore?: elasticache.CfnGlobalReplicationGroup;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const cache = props.config.data.cache;
    const names = dataNames(props.naming);
    const region = Stack.of(this).region;
    this.membership = cacheMembership(props.config, props.role);
    this.authSecretName = names.cacheAuthSecret(cacheAuthOwnerRegion(props.config, props.role));
    if (this.membership !== 'regional') {
      this.globalDatastoreId = `${GLOBAL_DATASTORE_ID_PREFIX[props.config.regions.primary.region]}-${names.globalDatastoreSuffix}`;
    }

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Cache nodes: TLS from the cache clients',
      allowAllOutbound: false,
    });
    securityGroup.connections.allowFrom(props.clients, ec2.Port.tcp(CACHE_PORT), 'Cache clients');
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      cacheSubnetGroupName: names.cacheReplicationGroup,
      description: 'Isolated data subnets of the region',
      subnetIds: props.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds,
    });

    const common = {
      replicationGroupId: names.cacheReplicationGroup,
      replicasPerNodeGroup: cache.replicasPerShard[props.role],
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      kmsKeyId: props.key.keyArn,
      snapshotRetentionLimit: cache.snapshotRetentionDays,
      snapshotWindow: cache.snapshotWindow,
      preferredMaintenanceWindow: MAINTENANCE_WINDOW,
    };

    if (this.membership === 'globalMember') {
      this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
        ...common,
        replicationGroupDescription: `Member of global datastore ${this.globalDatastoreId}`,
        globalReplicationGroupId: this.globalDatastoreId,
      });
      acknowledge(
        this.replicationGroup,
        ...['AEC3', 'AEC4', 'AEC5', 'AEC6'].map((rule) => ({
          id: `AwsSolutions-${rule}`,
          reason:
            'A global datastore member inherits engine, port, TLS and at-rest encryption, Multi-AZ and the AUTH token from the primary replication group (checked there); AWS rejects these properties on a member.',
        })),
      );
    } else {
      const authSecret = new secretsmanager.Secret(this, 'AuthToken', {
        secretName: this.authSecretName,
        description: `AUTH token of the ${names.cacheReplicationGroup} cache (${region})`,
        encryptionKey: props.key,
        // ElastiCache takes 16-128 printable characters without @, " or /: letters and digits only.
        generateSecretString: { passwordLength: 64, excludePunctuation: true },
        replicaRegions:
          this.membership === 'globalPrimary'
            ? Object.entries(props.memberKeys ?? {}).map(([memberRegion, keyArn]) => ({
                region: memberRegion,
                encryptionKey: kms.Key.fromKeyArn(this, `ReplicaKey-${memberRegion}`, keyArn),
              }))
            : undefined,
        removalPolicy: props.removalPolicy,
      });
      acknowledge(authSecret, {
        id: 'AwsSolutions-SMG4',
        reason:
          'An ElastiCache AUTH token changes through ModifyReplicationGroup (ROTATE, then SET) on the primary of the global datastore, which no Secrets Manager hosted rotation does; it is rotated by the runbook in docs/data.md. The token only works over TLS from the cache client group.',
      });

      const major = Number(cache.engineVersion.split('.')[0]);
      // Redis OSS 6 names its family redis6.x; every later engine family is <engine><major>.
      const family = cache.engine === 'redis' && major === 6 ? 'redis6.x' : `${cache.engine}${major}`;
      this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
        ...common,
        replicationGroupDescription: `Cache of the platform (${this.membership === 'globalPrimary' ? `primary of ${this.globalDatastoreId}` : 'regional'})`,
        engine: cache.engine,
        engineVersion: cache.engineVersion,
        cacheNodeType: cache.nodeType,
        clusterMode: 'enabled',
        cacheParameterGroupName: `default.${family}.cluster.on`,
        numNodeGroups: cache.shards,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        transitEncryptionEnabled: true,
        atRestEncryptionEnabled: true,
        authToken: authSecret.secretValue.unsafeUnwrap(),
        port: CACHE_PORT,
        autoMinorVersionUpgrade: true,
      });

      if (this.membership === 'globalPrimary') {
        this.globalDatastore = new elasticache.CfnGlobalReplicationGroup(this, 'GlobalDatastore', {
          globalReplicationGroupIdSuffix: names.globalDatastoreSuffix,
          globalReplicationGroupDescription: 'Cache of the platform, replicated from the primary region',
          automaticFailoverEnabled: true,
          members: [{ replicationGroupId: this.replicationGroup.ref, replicationGroupRegion: region, role: 'PRIMARY' }],
        });
        this.globalDatastore.applyRemovalPolicy(props.removalPolicy);
      }
    }
    this.replicationGroup.applyRemovalPolicy(props.removalPolicy);
    this.configurationEndpoint = this.replicationGroup.attrConfigurationEndPointAddress;
  }
}
