/**
 * The customer-managed key of one region's data tier: Aurora storage and Performance Insights, secrets,
 * the cache, DynamoDB replicas and the backup vault of that region are encrypted with it.
 *
 * It lives apart from the data stack because other regions name it before this region's data exists:
 * the primary's data stack creates DynamoDB global-table replicas and Secrets Manager replicas here,
 * while this region's data stack can only deploy after the primary's (it joins the primary's global
 * cluster and global datastore). Keys of every region therefore deploy first (see README), and the key
 * outlives a deleted data stack, so retained snapshots and backups stay readable.
 */
import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { Naming } from '../naming';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

/** The data key's alias, the same name in every region. */
export function dataKeyAlias(naming: Naming): string {
  return `alias/${naming.physicalName('data')}`;
}

/**
 * The data key of `region` by its alias ARN: DynamoDB replicas and Secrets Manager replicas accept alias
 * ARNs, so no reference crosses a region.
 */
export function dataKeyAliasArn(scope: PlatformStack, region: string): string {
  return Arn.format(
    { service: 'kms', region, resource: dataKeyAlias(scope.naming), arnFormat: ArnFormat.NO_RESOURCE_NAME },
    Stack.of(scope),
  );
}

/** The region's data key as another stack of the region sees it (ARN from SSM at deploy time). */
export function importDataKey(scope: PlatformStack): kms.IKey {
  const arn = ssm.StringParameter.valueForStringParameter(scope, scope.naming.parameter('keys', 'data-key-arn'));
  return kms.Key.fromKeyArn(scope, 'DataKey', arn);
}

export class KeysStack extends PlatformStack {
  readonly dataKey: kms.Key;

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description' | 'stateful'>) {
    super(scope, id, { ...props, stateful: true, description: `Customer-managed keys of the ${props.role} region's data tier` });

    this.dataKey = new kms.Key(this, 'DataKey', {
      alias: dataKeyAlias(this.naming),
      description: 'Encrypts the data tier of this region: Aurora, secrets, cache, DynamoDB replicas, backups',
      enableKeyRotation: true,
      removalPolicy: this.dataRemovalPolicy,
    });

    new ssm.StringParameter(this, 'DataKeyArnParam', {
      parameterName: this.naming.parameter('keys', 'data-key-arn'),
      stringValue: this.dataKey.keyArn,
      description: 'ARN of the region data key (alias: ' + dataKeyAlias(this.naming) + ')',
    });
  }
}
