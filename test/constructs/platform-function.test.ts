import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { applyCompliance } from '../../lib/compliance';
import { PlatformFunction } from '../../lib/constructs/platform-function';
import { TEST_ACCOUNT, testApp } from '../helpers/platform';

function build(extra: (stack: Stack, fn: PlatformFunction) => void = () => {}, inVpc = false) {
  const app = testApp();
  const stack = new Stack(app, 'Fn', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
  const vpc = inVpc ? new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['us-east-1a', 'us-east-1b'], natGateways: 1, flowLogs: { all: {} } }) : undefined;
  const layer = new lambda.LayerVersion(stack, 'Layer', { code: lambda.Code.fromAsset(join(__dirname, '../fixtures/hello')) });
  const fn = new PlatformFunction(stack, 'Hello', {
    entry: join(__dirname, '../fixtures/hello/handler.ts'),
    functionName: 'trading-dev-hello',
    description: 'test function',
    logRetention: logs.RetentionDays.TWO_WEEKS,
    sharedLayer: { layer, modules: ['@middy/core'] },
    vpc,
  });
  extra(stack, fn);
  return { app, stack, fn, template: () => Template.fromStack(stack) };
}

describe('PlatformFunction', () => {
  it('runs Node.js 24 on ARM64 with active tracing, JSON logs, source maps and the shared layer', () => {
    const t = build().template();
    t.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'trading-dev-hello',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: Match.anyValue() }),
      Layers: [Match.anyValue()],
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'trading-dev-hello' } },
    });
  });

  it('writes to its own log group with the given retention', () => {
    build()
      .template()
      .hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/trading-dev-hello', RetentionInDays: 14 });
  });

  it('has a role without managed policies', () => {
    build()
      .template()
      .hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('binds a table and a secret: environment variable plus grant in one call', () => {
    const t = build((stack, fn) => {
      const table = new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
      const secret = new secretsmanager.Secret(stack, 'Secret');
      fn.bindTable('TABLE_NAME', table, 'read').bindSecret('SECRET_ARN', secret);
    }).template();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TABLE_NAME: { Ref: Match.stringLikeRegexp('Table') }, SECRET_ARN: { Ref: Match.stringLikeRegexp('Secret') } }) },
    });
    const granted = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p: any) =>
      p.Properties.PolicyDocument.Statement.flatMap((st: any) => [st.Action].flat()),
    );
    expect(granted).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'secretsmanager:GetSecretValue']));
    expect(granted).not.toContain('dynamodb:PutItem');
  });

  it('in a VPC, joins the given client groups and the stack\'s one HTTPS-only group for AWS APIs', () => {
    const t = build((stack, fn) => {
      const vpc = fn.node.scope!.node.findChild('Vpc') as ec2.Vpc;
      const db = new ec2.SecurityGroup(stack, 'DbClients', { vpc, allowAllOutbound: false });
      new PlatformFunction(stack, 'Second', { entry: join(__dirname, '../fixtures/hello/handler.ts'), functionName: 'trading-dev-second', description: 'second', logRetention: logs.RetentionDays.ONE_WEEK, vpc, securityGroups: [db] });
    }, true).template();
    const groups = t.findResources('AWS::EC2::SecurityGroup');
    const https = Object.keys(groups).filter((k) => k.startsWith('AwsApiClients'));
    expect(https).toHaveLength(1);
    expect(groups[https[0]].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })]);
    const ids = Object.values(t.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.VpcConfig).map((f) => f.Properties.VpcConfig.SecurityGroupIds.map((g: any) => g['Fn::GetAtt'][0]));
    expect(ids).toEqual(expect.arrayContaining([[https[0]], [https[0], expect.stringMatching(/^DbClients/)]]));
  });

  it.each([false, true])('passes the AwsSolutions checks (in a VPC: %s)', (inVpc) => {
    const { app } = build(undefined, inVpc);
    applyCompliance(app);
    expect(() => app.synth()).not.toThrow();
  });
});
