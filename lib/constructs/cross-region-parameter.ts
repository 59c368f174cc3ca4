/**
 * Reads an SSM parameter that another region's stack wrote, at deploy time, without
 * `crossRegionReferences` (whose exports freeze the producer and deadlock updates). A custom resource
 * calls ssm:GetParameter in the other region, scoped to that one parameter.
 *
 * It reads on create and whenever `parameterName` or `region` change, not on every deployment: after the
 * producer replaces what the parameter points to (say, the primary's MSK cluster), redeploy the consumer
 * with a new `refreshToken`.
 */
import { Arn, Stack } from 'aws-cdk-lib';
import { AwsCustomResource, AwsCustomResourcePolicy, Logging, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SdkCallProvider } from './sdk-call-provider';

export interface CrossRegionParameterProps {
  /** The region whose parameter store holds it. */
  readonly region: string;
  readonly parameterName: string;
  /** Change it to read the parameter again. @default '1' */
  readonly refreshToken?: string;
  /** Of the stack's custom-resource function (see SdkCallProvider). */
  readonly logRetention: logs.RetentionDays;
}

export class CrossRegionParameter extends Construct {
  /** The parameter's value, resolved at deploy time. */
  readonly value: string;

  constructor(scope: Construct, id: string, props: CrossRegionParameterProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const call = {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: props.parameterName },
      region: props.region,
      physicalResourceId: PhysicalResourceId.of(`${props.region}:${props.parameterName}:${props.refreshToken ?? '1'}`),
      // The value is configuration (ARNs, ids), but the provider's log need not hold it.
      logging: Logging.withDataHidden(),
    };
    const provider = SdkCallProvider.of(this, props.logRetention);
    const reader = new AwsCustomResource(this, 'Read', {
      role: provider.role,
      logGroup: provider.logGroup,
      onCreate: call,
      onUpdate: call,
      installLatestAwsSdk: false,
      policy: AwsCustomResourcePolicy.fromSdkCalls({
        resources: [
          Arn.format({ service: 'ssm', region: props.region, resource: 'parameter', resourceName: props.parameterName.replace(/^\//, '') }, stack),
        ],
      }),
    });
    this.value = reader.getResponseField('Parameter.Value');
  }
}
