/**
 * The one Lambda function construct of the project: every worker and API handler is a PlatformFunction,
 * so runtime, architecture, tracing, logging, bundling and permissions are decided here once.
 *
 * Defaults: Node.js 24 on ARM64, X-Ray active tracing, JSON logs into a log group with the
 * environment's retention, esbuild bundling with the local esbuild (minified, source maps, AWS SDK v3
 * left to the runtime, the CommonJS drivers to the stack's runtime layer), and a role that holds only
 * what the function is granted (no managed policies).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { onePerStack } from './one-per-stack';
import { runtimeLayer, type SharedLayer } from './runtime-layer';

export type { SharedLayer } from './runtime-layer';

export interface PlatformFunctionProps {
  /** The handler module, e.g. `functions/notifications/handler.ts`. */
  readonly entry: string;
  /** Physical function name (from the naming module). */
  readonly functionName: string;
  readonly description: string;
  /** Log retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** @default 'handler' */
  readonly handler?: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** Extra environment variables (Powertools service name and source maps are always set). */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The layer whose modules are left out of the bundle and loaded from /opt/nodejs at run time.
   * @default - the stack's runtime layer (layers/runtime: the CommonJS drivers)
   */
  readonly sharedLayer?: SharedLayer;
  /** @default - not in a VPC */
  readonly vpc?: lambda.FunctionProps['vpc'];
  /** @default - private subnets with egress, when `vpc` is set */
  readonly vpcSubnets?: lambda.FunctionProps['vpcSubnets'];
  /**
   * The data-tier client groups the function joins, when `vpc` is set. It always joins the stack's HTTPS
   * group too (AWS APIs: the client groups reach only their stores).
   * @default - only the HTTPS group
   */
  readonly securityGroups?: lambda.FunctionProps['securityGroups'];
  /** @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** @default RemovalPolicy.DESTROY (logs of a deleted function are not kept) */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * How every function is bundled (the runtime bench bundles with the same options): minified CJS for
 * Node.js 24 with source maps and no sources content, with the local esbuild (no Docker).
 */
export const PLATFORM_BUNDLING = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  forceDockerBundling: false,
} as const satisfies nodejs.BundlingOptions;

/**
 * The stack's "HTTPS to AWS APIs" group (one per stack, which has one VPC): SSM, Secrets Manager, SQS,
 * DynamoDB, EventBridge and the other APIs a function calls, through the NAT gateways or the interface
 * endpoints. Nothing else leaves a function but what its client groups allow.
 */
function awsApiClients(scope: Construct, vpc: ec2.IVpc): ec2.ISecurityGroup {
  return onePerStack(scope, 'AwsApiClients', (stack, id) => {
    const group = new ec2.SecurityGroup(stack, id, { vpc, description: 'Lambda functions: HTTPS to AWS APIs', allowAllOutbound: false });
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'AWS APIs over TLS');
    return group;
  });
}

/** Modules the Lambda runtime provides: never bundled. */
export const RUNTIME_PROVIDED_MODULES: readonly string[] = ['@aws-sdk/*'];

export class PlatformFunction extends nodejs.NodejsFunction {

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    const shared = props.sharedLayer ?? runtimeLayer(scope);
    super(scope, id, {
      entry: props.entry,
      handler: props.handler ?? 'handler',
      functionName: props.functionName,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup,
      role,
      layers: [shared.layer],
      vpc: props.vpc,
      vpcSubnets: props.vpc ? (props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }) : undefined,
      securityGroups: props.vpc ? [awsApiClients(scope, props.vpc), ...(props.securityGroups ?? [])] : undefined,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.functionName,
        ...props.environment,
      },
      bundling: {
        ...PLATFORM_BUNDLING,
        // The runtime ships the AWS SDK v3; the layer ships its own modules.
        externalModules: [...RUNTIME_PROVIDED_MODULES, ...shared.modules],
      },
    });
    logGroup.grantWrite(role);
    if (props.vpc) {
      // What AWSLambdaVPCAccessExecutionRole grants, inline: ENI management for the VPC attachment.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          resources: ['*'],
        }),
      );
    }
    acknowledge(role, ...wildcardAcks(Boolean(props.vpc)));
  }

  /** Sets `envVar` to the table's name and grants read or read-write access. */
  bindTable(envVar: string, table: dynamodb.ITable, access: 'read' | 'readWrite'): this {
    this.addEnvironment(envVar, table.tableName);
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    return this;
  }

  /** Sets `envVar` to the secret's ARN (never its value) and grants read. */
  bindSecret(envVar: string, secret: secretsmanager.ISecret): this {
    this.addEnvironment(envVar, secret.secretArn);
    secret.grantRead(this);
    return this;
  }
}

function wildcardAcks(inVpc: boolean) {
  return [
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords' +
        (inVpc ? ' and the EC2 network-interface actions Lambda needs for VPC attachment' : '') +
        ' support no resource-level permissions (AWS service authorization reference).',
    },
  ];
}
