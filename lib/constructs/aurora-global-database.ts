/**
 * The Aurora PostgreSQL global database as one region holds it: every shard's cluster (writer in the
 * primary, a secondary elsewhere) with its proxy, and what the shards share in the region: the isolated
 * subnet group, the cluster parameter group (TLS forced, the global RPO cap), the security groups and the
 * Enhanced Monitoring role.
 *
 * PostgreSQL is reachable only from the `clients` security group (proxies and clusters), plus the proxies
 * and the master-secret rotation Lambda for the clusters.
 */
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { ROLE_CAPABILITIES, type PlatformConfig, type RegionRole } from '../config';
import type { Naming } from '../naming';
import { DATABASE_PORT } from '../stacks/data-contract';
import { AuroraShard } from './aurora-shard';

export interface AuroraGlobalDatabaseProps {
  readonly config: PlatformConfig;
  readonly role: RegionRole;
  readonly naming: Naming;
  readonly vpc: ec2.IVpc;
  /** The region's data key: storage, Performance Insights, the master secret. */
  readonly key: kms.IKey;
  /** The only group (besides the proxies) admitted to PostgreSQL. */
  readonly clients: ec2.ISecurityGroup;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: logs.RetentionDays;
  /** Writer region only: region -> data key alias ARN of every other region (master secret replicas). */
  readonly secretReplicaKeys?: Readonly<Record<string, string>>;
}

export class AuroraGlobalDatabase extends Construct {
  readonly shards: readonly AuroraShard[];

  constructor(scope: Construct, id: string, props: AuroraGlobalDatabaseProps) {
    super(scope, id);
    const aurora = props.config.data.aurora;
    const isWriter = ROLE_CAPABILITIES[props.role].isWriterRegion;
    const port = ec2.Port.tcp(DATABASE_PORT);
    const engine = rds.DatabaseClusterEngine.auroraPostgres({
      version: rds.AuroraPostgresEngineVersion.of(aurora.engineVersion, aurora.engineVersion.split('.')[0]),
    });

    const group = (name: string, description: string, allowAllOutbound: boolean) =>
      new ec2.SecurityGroup(this, name, { vpc: props.vpc, description, allowAllOutbound });
    const clusterSecurityGroup = group('ClusterSecurityGroup', 'Aurora clusters: PostgreSQL from the proxies, the database clients and the secret rotation', false);
    const proxySecurityGroup = group('ProxySecurityGroup', 'RDS Proxies: PostgreSQL from the database clients', false);
    proxySecurityGroup.connections.allowFrom(props.clients, port, 'Database clients to the proxies');
    // Direct connections are for migrations and long administrative sessions; applications use the proxies.
    clusterSecurityGroup.connections.allowFrom(props.clients, port, 'Database clients to the clusters');

    const subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      description: 'Isolated data subnets of the region',
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      removalPolicy: props.removalPolicy,
    });

    const parameterGroup = new rds.ParameterGroup(this, 'ClusterParameters', {
      engine,
      description: 'Aurora PostgreSQL clusters of the platform: TLS only, global RPO cap',
      parameters: {
        'rds.force_ssl': '1',
        // Set in every region: it takes effect on whichever cluster is the writer.
        ...(aurora.globalDbRpoSeconds === null ? {} : { 'rds.global_db_rpo': String(aurora.globalDbRpoSeconds) }),
      },
    });

    let monitoringRole: iam.Role | undefined;
    if (aurora.monitoringIntervalSeconds > 0) {
      monitoringRole = new iam.Role(this, 'MonitoringRole', {
        assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
        description: 'Enhanced Monitoring of the Aurora instances',
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole')],
      });
      acknowledge(monitoringRole, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
        reason: 'The AWS-maintained policy for Enhanced Monitoring: it only lets RDS write OS metrics to the RDSOSMetrics log group.',
      });
    }

    const rotationSecurityGroup = isWriter
      ? group('RotationSecurityGroup', 'Master secret rotation Lambda: reaches the writer and Secrets Manager', true)
      : undefined;

    this.shards = Array.from(
      { length: aurora.shards },
      (_, shard) =>
        new AuroraShard(this, `Shard${shard}`, {
          shard,
          region: {
            config: props.config,
            role: props.role,
            naming: props.naming,
            vpc: props.vpc,
            engine,
            subnetGroup,
            parameterGroup,
            clusterSecurityGroup,
            proxySecurityGroup,
            key: props.key,
            removalPolicy: props.removalPolicy,
            logRetention: props.logRetention,
            monitoringRole,
            rotationSecurityGroup,
            secretReplicaKeys: props.secretReplicaKeys,
          },
        }),
    );
  }
}
