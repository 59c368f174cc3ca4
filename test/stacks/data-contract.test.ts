/**
 * The data contract seen from a later stack: what it reads is what the data stack of its region publishes,
 * and the grants it hands out name the right resources.
 */
import { CfnOutput } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { loadConfig, REGION_ROLES, resolveAccount, type RegionRole } from '../../lib/config';
import { DataContract } from '../../lib/stacks/data-contract';
import { PlatformStack } from '../../lib/stacks/platform-stack';
import { platformOf, TEST_ACCOUNT, testApp } from '../helpers/platform';

const config = loadConfig('prod');

/** A stack of a later layer that uses every part of the contract. */
function consumer(role: RegionRole): { stack: PlatformStack; template: Template } {
  const app = testApp();
  const stack = new PlatformStack(app, `consumer-${role}`, { config, target: resolveAccount(TEST_ACCOUNT, undefined), role, description: 'consumer' });
  const data = DataContract.of(stack);
  const taskRole = new iam.Role(stack, 'TaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  data.grantConnect(taskRole, 0, 'app');
  data.table('idempotency').grantReadWriteData(taskRole);
  data.cache.authSecret.grantRead(taskRole);
  data.masterSecret(0).grantRead(taskRole);
  // Use every endpoint, so each is read from SSM.
  const endpoints = {
    DatabaseClients: data.databaseClients.securityGroupId,
    CacheClients: data.cacheClients.securityGroupId,
    ClusterEndpoint: data.shard(0).clusterEndpoint,
    ProxyEndpoint: data.shard(0).proxyEndpoint,
    ReaderEndpoint: data.shard(0).readerEndpoint,
    ProxyReadOnlyEndpoint: data.shard(0).proxyReadOnlyEndpoint,
    CacheEndpoint: data.cache.configurationEndpoint,
  };
  for (const [id, value] of Object.entries(endpoints)) new CfnOutput(stack, id, { value });
  return { stack, template: Template.fromStack(stack) };
}

/** SSM parameter names a template reads (CloudFormation SSM parameter types). */
function readParameters(template: Template): string[] {
  return Object.values<any>(template.toJSON().Parameters ?? {})
    .filter((p) => String(p.Type).startsWith('AWS::SSM::Parameter::Value'))
    .map((p) => p.Default)
    .filter((name) => !name.startsWith('/cdk-bootstrap/'));
}

describe.each(REGION_ROLES)('the data contract in the %s region', (role) => {
  const { template } = consumer(role);
  const region = config.regions[role].region;

  it('reads only parameters that the data and keys stacks of its region publish', () => {
    const platform = platformOf('prod');
    const { data, keys } = platform.regions.find((r) => r.role === role)!;
    const published = [data, keys].flatMap((s) => Object.values<any>(platform.template(s).findResources('AWS::SSM::Parameter')).map((p) => p.Properties.Name));
    const read = readParameters(template);
    expect(read.length).toBeGreaterThanOrEqual(9);
    for (const name of read) expect(published).toContain(name);
  });

  it('grants IAM sign-in as an allowed user through the shard\'s proxy of this region', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'rds-db:connect',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  `arn:aws:rds-db:${region}:${TEST_ACCOUNT}:dbuser:`,
                  { 'Fn::Select': [6, { 'Fn::Split': [':', { Ref: Match.stringLikeRegexp('^SsmParameterValuetradingproddataaurorashards0proxyarn') }] }] },
                  '/app',
                ],
              ],
            },
          },
        ]),
      },
    });
  });

  it('grants the table replica of this region and its key', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['dynamodb:PutItem', 'dynamodb:Query']),
            Resource: [`arn:aws:dynamodb:${region}:${TEST_ACCOUNT}:table/trading-prod-idempotency`, `arn:aws:dynamodb:${region}:${TEST_ACCOUNT}:table/trading-prod-idempotency/index/*`],
          }),
          Match.objectLike({
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
            Resource: { Ref: Match.stringLikeRegexp('^SsmParameterValuetradingprodkeysdatakeyarn') },
          }),
        ]),
      },
    });
  });

  it(`reads the cache AUTH token from the secret of the region that owns it (${role === 'secondary' ? 'the primary\'s replica' : 'its own'})`, () => {
    const owner = role === 'secondary' ? config.regions.primary.region : region;
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          // The secret (or its replica) is encrypted with this region's data key.
          Match.objectLike({
            Action: Match.arrayWith(['kms:Decrypt']),
            Resource: { Ref: Match.stringLikeRegexp('^SsmParameterValuetradingprodkeysdatakeyarn') },
          }),
          Match.objectLike({
            Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
            Resource: Match.arrayWith([`arn:aws:secretsmanager:${region}:${TEST_ACCOUNT}:secret:trading-prod-cache-auth-${owner}-??????`]),
          }),
        ]),
      },
    });
  });

  it('imports the client groups immutably (no rule is added to the data stack\'s groups from here)', () => {
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });
});

describe('the data contract refuses what does not exist', () => {
  const { stack } = consumer('primary');
  const data = DataContract.of(stack);

  it('is one per stack', () => {
    expect(DataContract.of(stack)).toBe(data);
  });

  it('a shard beyond the configured count', () => {
    expect(() => data.shard(1)).toThrow('shard 1 does not exist: config has 1 shard(s), 0 to 0');
  });

  it('a database user the proxies do not admit', () => {
    const role = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => data.grantConnect(role, 0, 'postgres')).toThrow('database user "postgres" cannot log in through the proxies: data.aurora.databaseUsers allows app');
  });
});
