/**
 * Aurora reader auto scaling: Application Auto Scaling on the cluster's ReadReplicaCount, with one
 * target-tracking policy on average reader connections and one on average reader CPU. A replica is added
 * when either target is exceeded and removed only when both allow it.
 *
 * L1 on purpose: without a RoleARN, Application Auto Scaling uses (and creates) its service-linked role
 * for RDS; the L2 would create a role of its own that RDS scaling does not use.
 *
 * Replicas it adds are not in the template: they block deleting the cluster (see docs/data.md, teardown).
 */
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { Construct } from 'constructs';

export interface ReaderAutoScalingProps {
  readonly clusterIdentifier: string;
  /** The readers the template creates; scaling never goes below them. */
  readonly minReaders: number;
  readonly maxReaders: number;
  /** Average database connections per reader that triggers a new replica. */
  readonly targetConnections: number;
  readonly targetCpuPercent: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
}

export class ReaderAutoScaling extends Construct {
  readonly target: appscaling.CfnScalableTarget;

  constructor(scope: Construct, id: string, props: ReaderAutoScalingProps) {
    super(scope, id);
    this.target = new appscaling.CfnScalableTarget(this, 'Target', {
      serviceNamespace: 'rds',
      resourceId: `cluster:${props.clusterIdentifier}`,
      scalableDimension: 'rds:cluster:ReadReplicaCount',
      minCapacity: props.minReaders,
      maxCapacity: props.maxReaders,
    });
    const policy = (name: string, metric: appscaling.PredefinedMetric, targetValue: number) =>
      new appscaling.CfnScalingPolicy(this, name, {
        policyName: `${props.clusterIdentifier}-readers-${name.toLowerCase()}`,
        policyType: 'TargetTrackingScaling',
        scalingTargetId: this.target.ref,
        targetTrackingScalingPolicyConfiguration: {
          targetValue,
          predefinedMetricSpecification: { predefinedMetricType: metric },
          scaleOutCooldown: props.scaleOutCooldownSeconds,
          scaleInCooldown: props.scaleInCooldownSeconds,
        },
      });
    policy('Connections', appscaling.PredefinedMetric.RDS_READER_AVERAGE_DATABASE_CONNECTIONS, props.targetConnections);
    policy('Cpu', appscaling.PredefinedMetric.RDS_READER_AVERAGE_CPU_UTILIZATION, props.targetCpuPercent);
  }
}
