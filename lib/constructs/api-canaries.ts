/**
 * The region's synthetic checks of the API tier: GET /health on the REST API and a WebSocket handshake,
 * each on the config's schedule (every minute in staging and prod). Their success rate is the uptime
 * figure. Scripts live in functions/api-canaries/ and are inlined (no Docker, no asset layout); they read the API ids
 * from SSM at run time, so this stack needs no deploy-time dependency on the api stack.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import type { ObservabilityConfig } from '../config';
import type { Naming } from '../naming';

const CANARY_SOURCES = path.join(__dirname, '../../functions/api-canaries');
/** The Node.js runtime with a browser (the WebSocket check opens the socket in it). */
export const CANARY_RUNTIME = synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_9_1;

export interface ApiCanariesProps {
  readonly naming: Naming;
  readonly canary: ObservabilityConfig['canary'];
  readonly removalPolicy: RemovalPolicy;
}

export class ApiCanaries extends Construct {
  readonly artifacts: s3.Bucket;
  readonly health: synthetics.Canary;
  readonly webSocket: synthetics.Canary;

  constructor(scope: Construct, id: string, props: ApiCanariesProps) {
    super(scope, id);
    const { naming, canary } = props;
    this.artifacts = new s3.Bucket(this, 'Artifacts', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: false,
      lifecycleRules: [{ expiration: Duration.days(canary.artifactRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    acknowledge(this.artifacts, {
      id: 'AwsSolutions-S1',
      reason: 'The bucket only holds screenshots, HAR files and logs written by the synthetic checks; access logging a bucket of logs would log the checks themselves.',
    });

    const api = naming.api;
    this.health = this.canary('Health', naming.canaryName('health'), 'api-health.js', api.restApiIdParameter, props, {
      HEALTH_PATH: api.healthPath,
    });
    this.webSocket = this.canary('WebSocket', naming.canaryName('ws'), 'websocket-connect.js', api.webSocketApiIdParameter, props, {
      CONNECT_TIMEOUT_MS: String(Math.max(1000, (canary.timeoutSeconds - 5) * 1000)),
    });
  }

  private canary(id: string, name: string, script: string, apiIdParameter: string, props: ApiCanariesProps, environment: Record<string, string>): synthetics.Canary {
    const { canary } = props;
    const check = new synthetics.Canary(this, id, {
      canaryName: name,
      runtime: CANARY_RUNTIME,
      test: synthetics.Test.custom({ code: synthetics.Code.fromInline(readFileSync(path.join(CANARY_SOURCES, script), 'utf8')), handler: 'index.handler' }),
      schedule: synthetics.Schedule.rate(Duration.minutes(canary.scheduleMinutes)),
      timeout: Duration.seconds(canary.timeoutSeconds),
      artifactsBucketLocation: { bucket: this.artifacts, prefix: name },
      artifactS3EncryptionMode: synthetics.ArtifactsEncryptionMode.S3_MANAGED,
      successRetentionPeriod: Duration.days(Math.min(canary.artifactRetentionDays, 455)),
      failureRetentionPeriod: Duration.days(Math.min(canary.artifactRetentionDays, 455)),
      activeTracing: true,
      provisionedResourceCleanup: true,
      environmentVariables: { API_ID_PARAMETER: apiIdParameter, API_STAGE: props.naming.api.stageName, ...environment },
    });
    ssm.StringParameter.fromStringParameterName(this, `${id}ApiIdParameter`, apiIdParameter).grantRead(check.role);
    const role = check.role as iam.Role;
    const { region, account } = Stack.of(this);
    acknowledge(
      role,
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'The role CDK generates for a canary: s3:ListAllMyBuckets and xray:PutTraceSegments support no resource-level permission; CloudWatch PutMetricData is limited to the CloudWatchSynthetics namespace by condition.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::arn:aws:logs:${region}:${account}:log-group:/aws/lambda/cwsyn-*]`,
        reason: 'Synthetics names a canary\'s log group /aws/lambda/cwsyn-<name>-<generated id>: the suffix is unknown until the canary exists.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.artifacts.node.defaultChild as s3.CfnBucket)}.Arn>/${name}/*]`,
        reason: 'The canary writes its run artifacts (screenshots, HAR, logs) under its own prefix of the artifacts bucket; each run creates new object keys.',
      },
    );
    return check;
  }
}
