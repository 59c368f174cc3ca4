/**
 * One shard of the Aurora PostgreSQL global database, as one region sees it:
 *
 * - in the writer region, the primary cluster (writer + readers, the master secret with rotation and
 *   replicas in the other regions) and the global cluster made from it;
 * - elsewhere, a secondary cluster joined to that global cluster (readers only; write forwarding where
 *   config asks for it);
 *
 * and in every region an RDS Proxy (IAM authentication end to end, TLS required) with a read-only
 * endpoint, reader auto scaling, and the PostgreSQL log group with the environment's retention.
 */
import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type IDependable } from 'constructs';
import { acknowledge } from '../compliance';
import { ROLE_CAPABILITIES, type PlatformConfig, type RegionRole } from '../config';
import type { Naming } from '../naming';
import { DATABASE_PORT, dataNames } from '../stacks/data-contract';
import { ReaderAutoScaling } from './reader-auto-scaling';

/** Windows (UTC) kept apart from the AWS Backup job (config: data.backup.dailyAtUtcHour). */
const BACKUP_WINDOW = '02:00-03:00';
const MAINTENANCE_WINDOW = 'sun:06:00-sun:07:00';
/** The master user's password changes monthly (hosted rotation Lambda, single user). */
const MASTER_ROTATION = Duration.days(30);

/** What every shard of the region shares (built once by AuroraGlobalDatabase). */
export interface AuroraRegionResources {
  readonly config: PlatformConfig;
  readonly role: RegionRole;
  readonly naming: Naming;
  readonly vpc: ec2.IVpc;
  readonly engine: rds.IClusterEngine;
  readonly subnetGroup: rds.ISubnetGroup;
  readonly parameterGroup: rds.IParameterGroup;
  readonly clusterSecurityGroup: ec2.ISecurityGroup;
  readonly proxySecurityGroup: ec2.ISecurityGroup;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  /** @default - no Enhanced Monitoring */
  readonly monitoringRole?: iam.IRole;
  /** Writer region only: the Lambda that rotates the master secret runs in this group. */
  readonly rotationSecurityGroup?: ec2.ISecurityGroup;
  /** Writer region only: region -> data key alias ARN, for the master secret's replicas. */
  readonly secretReplicaKeys?: Readonly<Record<string, string>>;
}

export interface AuroraShardProps {
  readonly shard: number;
  readonly region: AuroraRegionResources;
}

export class AuroraShard extends Construct {
  readonly clusterIdentifier: string;
  readonly globalClusterIdentifier: string;
  readonly clusterArn: string;
  readonly clusterEndpoint: string;
  readonly readerEndpoint: string;
  readonly proxy: rds.DatabaseProxy;
  readonly proxyReadOnlyEndpoint: string;
  readonly masterSecretName: string;
  /** Writer region only. */
  readonly globalCluster?: rds.CfnGlobalCluster;

  constructor(scope: Construct, id: string, props: AuroraShardProps) {
    super(scope, id);
    const r = props.region;
    const names = dataNames(r.naming);
    const stack = Stack.of(this);
    const aurora = r.config.data.aurora;
    this.clusterIdentifier = names.cluster(stack.region, props.shard);
    this.globalClusterIdentifier = names.globalCluster(props.shard);
    this.masterSecretName = names.masterSecret(props.shard);

    // RDS writes into this group when it exists: retention without CDK's log-retention Lambda.
    const logGroup = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/cluster/${this.clusterIdentifier}/postgresql`,
      retention: r.logRetention,
      removalPolicy: r.removalPolicy,
    });

    const joined = ROLE_CAPABILITIES[r.role].isWriterRegion ? this.primaryCluster(props) : this.secondaryCluster(props);
    joined.cluster.node.addDependency(logGroup);
    if (!r.config.data.deletionProtection) {
      acknowledge(joined.cluster, {
        id: 'AwsSolutions-RDS10',
        reason: 'Deletion protection follows data.deletionProtection: on in staging and prod (required for prod by config validation), off in dev, which is torn down by design.',
      });
    }
    this.clusterArn = joined.arn;
    this.clusterEndpoint = joined.endpoint;
    this.readerEndpoint = joined.readerEndpoint;
    this.globalCluster = joined.globalCluster;

    this.proxy = this.createProxy(props, joined.target, joined.resourceId, joined.instances);
    this.proxyReadOnlyEndpoint = this.proxy.addEndpoint('ReadOnly', {
      dbProxyEndpointName: `${names.proxy(props.shard)}-ro`,
      targetRole: rds.ProxyEndpointTargetRole.READ_ONLY,
      vpc: r.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [r.proxySecurityGroup],
    }).endpoint;

    const counts = aurora.instances[r.role];
    const scaling = new ReaderAutoScaling(this, 'ReaderScaling', {
      clusterIdentifier: this.clusterIdentifier,
      minReaders: counts.readers,
      maxReaders: counts.maxReaders,
      ...aurora.readerScaling,
    });
    // Scaling starts once the template's readers exist (it needs one to measure).
    scaling.node.addDependency(...joined.instances);
  }

  /** The writer region: an L2 cluster, the global cluster built from it, and its master secret. */
  private primaryCluster(props: AuroraShardProps): JoinedCluster {
    const r = props.region;
    const aurora = r.config.data.aurora;
    const serverless = aurora.instanceClass === 'db.serverless';
    const instance = (name: string, tier: number) => {
      const options = {
        instanceIdentifier: `${this.clusterIdentifier}-${name.toLowerCase()}`,
        publiclyAccessible: false,
        promotionTier: tier,
        enablePerformanceInsights: true,
        performanceInsightRetention: aurora.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
        performanceInsightEncryptionKey: r.key,
      };
      return serverless
        ? rds.ClusterInstance.serverlessV2(name, { ...options, scaleWithWriter: tier <= 1 })
        : rds.ClusterInstance.provisioned(name, { ...options, instanceType: new ec2.InstanceType(aurora.instanceClass.replace(/^db\./, '')) });
    };
    const readers = Array.from({ length: aurora.instances[r.role].readers }, (_, i) => instance(`Reader${i + 1}`, 1));

    const masterSecret = new rds.DatabaseSecret(this, 'MasterSecret', {
      username: 'postgres',
      secretName: this.masterSecretName,
      encryptionKey: r.key,
      // In every region, so a promoted secondary can be administered while the primary region is down.
      replicaRegions: Object.entries(r.secretReplicaKeys ?? {}).map(([region, keyArn]) => ({
        region,
        encryptionKey: kms.Key.fromKeyArn(this, `ReplicaKey-${region}`, keyArn),
      })),
    });
    // The password outlives a retained cluster.
    masterSecret.applyRemovalPolicy(r.removalPolicy);
    const cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: r.engine,
      clusterIdentifier: this.clusterIdentifier,
      credentials: rds.Credentials.fromSecret(masterSecret),
      defaultDatabaseName: aurora.databaseName,
      writer: instance('Writer', 0),
      readers,
      serverlessV2MinCapacity: aurora.serverlessCapacity?.minAcu,
      serverlessV2MaxCapacity: aurora.serverlessCapacity?.maxAcu,
      vpc: r.vpc,
      subnetGroup: r.subnetGroup,
      securityGroups: [r.clusterSecurityGroup],
      port: DATABASE_PORT,
      parameterGroup: r.parameterGroup,
      storageEncrypted: true,
      storageEncryptionKey: r.key,
      iamAuthentication: true,
      deletionProtection: r.config.data.deletionProtection,
      backup: { retention: Duration.days(aurora.backupRetentionDays), preferredWindow: BACKUP_WINDOW },
      preferredMaintenanceWindow: MAINTENANCE_WINDOW,
      cloudwatchLogsExports: ['postgresql'],
      enablePerformanceInsights: true,
      performanceInsightRetention: aurora.performanceInsightsRetentionDays as rds.PerformanceInsightRetention,
      performanceInsightEncryptionKey: r.key,
      ...(r.monitoringRole ? { monitoringInterval: Duration.seconds(aurora.monitoringIntervalSeconds), monitoringRole: r.monitoringRole } : {}),
      copyTagsToSnapshot: true,
      removalPolicy: r.removalPolicy,
    });

    cluster.secret!.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        functionName: `${this.clusterIdentifier}-rotation`,
        vpc: r.vpc,
        // It calls Secrets Manager (NAT or endpoint) and the writer (5432).
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [r.rotationSecurityGroup!],
      }),
      automaticallyAfter: MASTER_ROTATION,
    });
    cluster.connections.allowFrom(r.rotationSecurityGroup!, ec2.Port.tcp(DATABASE_PORT), 'Master secret rotation');

    const globalCluster = new rds.CfnGlobalCluster(this, 'GlobalCluster', {
      globalClusterIdentifier: this.globalClusterIdentifier,
      sourceDbClusterIdentifier: cluster.clusterArn,
      deletionProtection: r.config.data.deletionProtection,
    });
    globalCluster.applyRemovalPolicy(r.removalPolicy);

    const instances = cluster.node.findAll().filter((c): c is rds.CfnDBInstance => c instanceof rds.CfnDBInstance);
    return {
      cluster,
      target: cluster,
      arn: cluster.clusterArn,
      resourceId: cluster.clusterResourceIdentifier,
      endpoint: cluster.clusterEndpoint.hostname,
      readerEndpoint: cluster.clusterReadEndpoint.hostname,
      // The global cluster must exist before secondaries join, and before scaling touches the cluster.
      instances: [...instances, globalCluster],
      globalCluster,
    };
  }

  /** A secondary region: an L1 cluster joined to the global cluster (AWS rejects credentials and a database name here). */
  private secondaryCluster(props: AuroraShardProps): JoinedCluster {
    const r = props.region;
    const aurora = r.config.data.aurora;
    const serverless = aurora.instanceClass === 'db.serverless';
    const cluster = new rds.CfnDBCluster(this, 'Cluster', {
      dbClusterIdentifier: this.clusterIdentifier,
      globalClusterIdentifier: this.globalClusterIdentifier,
      engine: 'aurora-postgresql',
      engineVersion: aurora.engineVersion,
      // The primary's storage is encrypted: the secondary needs its source region and a key of its own region.
      sourceRegion: r.config.regions.primary.region,
      storageEncrypted: true,
      kmsKeyId: r.key.keyArn,
      dbSubnetGroupName: r.subnetGroup.subnetGroupName,
      vpcSecurityGroupIds: [r.clusterSecurityGroup.securityGroupId],
      port: DATABASE_PORT,
      dbClusterParameterGroupName: r.parameterGroup.bindToCluster({}).parameterGroupName,
      enableIamDatabaseAuthentication: true,
      enableGlobalWriteForwarding: aurora.writeForwarding.includes(r.role as 'secondary' | 'tertiary') || undefined,
      deletionProtection: r.config.data.deletionProtection,
      backupRetentionPeriod: aurora.backupRetentionDays,
      preferredBackupWindow: BACKUP_WINDOW,
      preferredMaintenanceWindow: MAINTENANCE_WINDOW,
      enableCloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
      serverlessV2ScalingConfiguration: aurora.serverlessCapacity
        ? { minCapacity: aurora.serverlessCapacity.minAcu, maxCapacity: aurora.serverlessCapacity.maxAcu }
        : undefined,
    });
    cluster.applyRemovalPolicy(r.removalPolicy);

    const instances = Array.from({ length: aurora.instances[r.role].readers }, (_, i) => {
      const db = new rds.CfnDBInstance(this, `Reader${i + 1}`, {
        dbInstanceIdentifier: `${this.clusterIdentifier}-reader${i + 1}`,
        dbClusterIdentifier: cluster.ref,
        engine: 'aurora-postgresql',
        dbInstanceClass: serverless ? 'db.serverless' : aurora.instanceClass,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
        promotionTier: 1,
        enablePerformanceInsights: true,
        performanceInsightsKmsKeyId: r.key.keyArn,
        performanceInsightsRetentionPeriod: aurora.performanceInsightsRetentionDays,
        ...(r.monitoringRole ? { monitoringInterval: aurora.monitoringIntervalSeconds, monitoringRoleArn: r.monitoringRole.roleArn } : {}),
      });
      db.applyRemovalPolicy(r.removalPolicy);
      return db;
    });

    const target = rds.DatabaseCluster.fromDatabaseClusterAttributes(this, 'ClusterRef', {
      clusterIdentifier: cluster.ref,
      clusterResourceIdentifier: cluster.attrDbClusterResourceId,
      clusterEndpointAddress: cluster.attrEndpointAddress,
      readerEndpointAddress: cluster.attrReadEndpointAddress,
      engine: r.engine,
      port: DATABASE_PORT,
      securityGroups: [r.clusterSecurityGroup],
    });
    return {
      cluster,
      target,
      arn: cluster.attrDbClusterArn,
      resourceId: cluster.attrDbClusterResourceId,
      endpoint: cluster.attrEndpointAddress,
      readerEndpoint: cluster.attrReadEndpointAddress,
      instances,
    };
  }

  /**
   * RDS Proxy with end-to-end IAM authentication: clients sign in with IAM tokens and the proxy signs in
   * to PostgreSQL with IAM as well, so no password is shared and no secret has to exist in this region.
   */
  private createProxy(props: AuroraShardProps, target: rds.IDatabaseCluster, resourceId: string, instances: IDependable[]): rds.DatabaseProxy {
    const r = props.region;
    const names = dataNames(r.naming);
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ProxyRole', {
      assumedBy: new iam.ServicePrincipal('rds.amazonaws.com'),
      description: `RDS Proxy ${names.proxy(props.shard)}: signs in to the cluster as the application users`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['rds-db:connect'],
        resources: r.config.data.aurora.databaseUsers.map((user) =>
          stack.formatArn({ service: 'rds-db', resource: 'dbuser', resourceName: `${resourceId}/${user}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
        ),
      }),
    );
    const proxy = new rds.DatabaseProxy(this, 'Proxy', {
      dbProxyName: names.proxy(props.shard),
      proxyTarget: rds.ProxyTarget.fromCluster(target),
      vpc: r.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [r.proxySecurityGroup],
      role,
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      requireTLS: true,
      maxConnectionsPercent: r.config.data.aurora.proxy.maxConnectionsPercent,
      idleClientTimeout: Duration.seconds(r.config.data.aurora.proxy.idleClientTimeoutSeconds),
      debugLogging: false,
    });
    // A target group registers only an available cluster with instances.
    proxy.node.addDependency(...instances);
    return proxy;
  }
}

interface JoinedCluster {
  readonly cluster: Construct;
  readonly target: rds.IDatabaseCluster;
  readonly arn: string;
  readonly resourceId: string;
  readonly endpoint: string;
  readonly readerEndpoint: string;
  readonly instances: IDependable[];
  readonly globalCluster?: rds.CfnGlobalCluster;
}
