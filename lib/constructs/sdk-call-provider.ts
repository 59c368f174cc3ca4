/**
 * The execution role and log group that every AwsCustomResource of a stack shares (CDK runs them all in
 * one singleton function). Our own role instead of CDK's default keeps AWS managed policies out: it may
 * write to its own log group and make exactly the SDK calls each custom resource adds.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { onePerStack } from './one-per-stack';

const ID = 'SdkCallProvider';

export class SdkCallProvider extends Construct {
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  /** The stack's provider, created on first use. */
  static of(scope: IConstruct, logRetention: logs.RetentionDays): SdkCallProvider {
    return onePerStack(scope, ID, (stack, id) => new SdkCallProvider(stack, id, logRetention));
  }

  private constructor(scope: Construct, id: string, logRetention: logs.RetentionDays) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Custom resources of this stack that make one AWS SDK call each (AwsCustomResource)',
    });
    this.logGroup.grantWrite(this.role);
  }
}
