/**
 * The API tier's CloudFormation: a REST API, a WebSocket API, the JWT authorizer and the WAF association
 * in every region of prod; the tertiary bound to its read-only endpoints; identity in the primary only.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { REGION_ROLES, resolveAccount, validateConfig, type RegionRole } from '../../lib/config';
import { prod as prodFile } from '../../lib/config/environments/prod';
import { buildPlatform } from '../../lib/platform';
import { platformOf, TEST_ACCOUNT, testApp } from '../helpers/platform';

const platform = platformOf('prod');
const { config } = platform;
const regionOf = (role: RegionRole) => platform.regions.find((r) => r.role === role)!;
const template = (role: RegionRole) => platform.template(regionOf(role).api!);
const envOf = (role: RegionRole, functionName: string) => {
  const fns = template(role).findResources('AWS::Lambda::Function', { Properties: { FunctionName: functionName } });
  expect(Object.keys(fns)).toHaveLength(1);
  return Object.values(fns)[0].Properties.Environment.Variables as Record<string, unknown>;
};

describe.each(REGION_ROLES)('prod %s api stack', (role) => {
  const t = () => template(role);

  it('is <app>-<env>-<region>-api and deploys after its data and network stacks and the identity stack', () => {
    const r = regionOf(role);
    expect(r.api!.stackName).toBe(`trading-prod-${config.regions[role].region}-api`);
    expect(r.api!.dependencies).toEqual(expect.arrayContaining([r.data, r.network, regionOf('primary').identity]));
  });

  it('has a regional REST API whose stage throttles, traces and writes JSON access logs', () => {
    t().hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'trading-prod-api', EndpointConfiguration: { Types: ['REGIONAL'] } });
    t().hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: config.api.stageThrottle.rateLimit, ThrottlingBurstLimit: config.api.stageThrottle.burstLimit, LoggingLevel: 'ERROR' })],
    });
    t().hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/trading/prod/api/rest-access', RetentionInDays: config.logs.retentionDays });
  });

  it('guards every route with the JWT authorizer and an API key, except /health and the signed billing webhook', () => {
    t().hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN', IdentitySource: 'method.request.header.Authorization', AuthorizerResultTtlInSeconds: 300 });
    const methods = Object.values(t().findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);
    const open = methods.filter((m) => m.AuthorizationType === 'NONE');
    expect(open).toHaveLength(2);
    expect(open.map((m) => m.HttpMethod).sort()).toEqual(['GET', 'POST']);
    const guarded = methods.filter((m) => m.AuthorizationType !== 'NONE');
    expect(guarded.length).toBeGreaterThanOrEqual(9);
    for (const m of guarded) expect(m).toMatchObject({ AuthorizationType: 'CUSTOM', ApiKeyRequired: true, RequestValidatorId: expect.anything() });
  });

  it('serves GET and PUT /notifications/preferences from the preferences function, guarded, in the VPC, with the database grant', () => {
    const resources = t().findResources('AWS::ApiGateway::Resource');
    const [notificationsId] = Object.entries(resources).find(([, r]) => r.Properties.PathPart === 'notifications')!;
    const [preferencesId] = Object.entries(resources).find(([, r]) => r.Properties.PathPart === 'preferences' && r.Properties.ParentId.Ref === notificationsId)!;
    const functions = t().findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'trading-prod-api-preferences' } });
    const [functionId] = Object.keys(functions);
    expect(functions[functionId].Properties.VpcConfig.SecurityGroupIds).toHaveLength(2);
    const methods = Object.values(t().findResources('AWS::ApiGateway::Method', { Properties: { ResourceId: { Ref: preferencesId } } })).map((m) => m.Properties);
    expect(methods.map((m) => m.HttpMethod).sort()).toEqual(['GET', 'PUT']);
    for (const m of methods) {
      expect(m).toMatchObject({ AuthorizationType: 'CUSTOM', ApiKeyRequired: true, RequestValidatorId: expect.anything() });
      expect(JSON.stringify(m.Integration.Uri)).toContain(functionId);
    }
    const [policy] = Object.values(t().findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: functions[functionId].Properties.Role['Fn::GetAtt'][0] }] } }));
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('rds-db:connect');
  });

  it('has a usage plan and an API key per client tier from config', () => {
    for (const tier of config.api.usagePlans) {
      t().hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: `trading-prod-api-${tier.name}`,
        Throttle: { RateLimit: tier.throttle.rateLimit, BurstLimit: tier.throttle.burstLimit },
        ...(tier.dailyQuota ? { Quota: { Limit: tier.dailyQuota, Period: 'DAY' } } : {}),
      });
      t().hasResourceProperties('AWS::ApiGateway::ApiKey', { Name: `trading-prod-api-${tier.name}`, Enabled: true });
    }
    t().resourceCountIs('AWS::ApiGateway::UsagePlanKey', config.api.usagePlans.length);
  });

  it('answers unknown routes 404, throttling 429 and oversized requests 413 with the request id', () => {
    t().hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'MISSING_AUTHENTICATION_TOKEN', StatusCode: '404' });
    t().hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'THROTTLED', StatusCode: '429' });
    t().hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'REQUEST_TOO_LARGE',
      StatusCode: '413',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('\\$context.requestId') },
    });
  });

  it('protects the REST stage with a WAF WebACL: managed groups and the configured rate limit', () => {
    t().hasResourceProperties('AWS::WAFv2::WebACL', {
      Name: 'trading-prod-api-waf',
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({ Name: 'RatePerIp', Statement: { RateBasedStatement: { Limit: config.api.waf.rateLimitPer5Minutes, AggregateKeyType: 'IP' } } }),
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: Match.objectLike({ VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' }) } }),
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: Match.objectLike({ VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' }) } }),
        Match.objectLike({ Statement: { ManagedRuleGroupStatement: Match.objectLike({ VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' }) } }),
      ]),
    });
    const [association] = Object.values(t().findResources('AWS::WAFv2::WebACLAssociation'));
    expect(JSON.stringify(association.Properties.ResourceArn)).toMatch(/restapis\/",{"Ref":"RestApi[0-9A-F]+"},"\/stages\/",{"Ref":"RestApiDeploymentStagev1/);
  });

  it('has a WebSocket API: $connect behind the JWT request authorizer, subscribe/unsubscribe/$default/$disconnect routes', () => {
    t().hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'trading-prod-ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' });
    t().hasResourceProperties('AWS::ApiGatewayV2::Authorizer', { AuthorizerType: 'REQUEST', IdentitySource: ['route.request.querystring.token'] });
    t().hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$connect', AuthorizationType: 'CUSTOM' });
    for (const key of ['$disconnect', '$default', 'subscribe', 'unsubscribe']) t().hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key });
    t().hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: 'v1', AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }) });
    expect(envOf(role, 'trading-prod-api-websocket')).toMatchObject({ CONNECTIONS_TABLE: 'trading-prod-ws-connections', CONNECTION_TTL_SECONDS: String(config.api.webSocket.connectionTtlMinutes * 60) });
  });

  it('publishes both API ids at the naming module paths', () => {
    t().hasResourceProperties('AWS::SSM::Parameter', { Name: '/trading/prod/api/rest-api-id' });
    t().hasResourceProperties('AWS::SSM::Parameter', { Name: '/trading/prod/api/websocket-api-id' });
  });

  it('runs the data-tier functions in the VPC with the data contract security groups', () => {
    const fns = t().findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'trading-prod-api-dashboard' } });
    const vpcConfig = Object.values(fns)[0].Properties.VpcConfig;
    expect(vpcConfig.SecurityGroupIds).toHaveLength(3);
    expect(vpcConfig.SecurityGroupIds[0]).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AwsApiClients/), 'GroupId'] });
    expect(vpcConfig.SubnetIds).toBeDefined();
  });

  it('lets functions in the VPC reach AWS APIs over HTTPS only (the client groups reach only their stores)', () => {
    const groups = t().findResources('AWS::EC2::SecurityGroup');
    const [id] = Object.keys(groups).filter((k) => k.startsWith('AwsApiClients'));
    expect(groups[id].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
  });

  it('reads dashboards through the read-only proxy endpoint with the configured TTLs', () => {
    expect(envOf(role, 'trading-prod-api-dashboard')).toMatchObject({
      SHARD_MAP_PARAMETER: '/trading/prod/data/aurora/shard-map',
      DATABASE_USER: 'app',
      POSITIONS_TTL_SECONDS: '60',
      PERFORMANCE_TTL_SECONDS: '300',
    });
  });
});

describe('prod regions differ by role', () => {
  it('the tertiary writes through its read-only endpoint (write forwarding) and migrates nothing', () => {
    expect(envOf('tertiary', 'trading-prod-api-plans')).toMatchObject({ DATABASE_ENDPOINT: 'readOnly', WRITE_FORWARDING: 'true', MIGRATE_API_SCHEMA: 'false' });
    expect(envOf('tertiary', 'trading-prod-api-billing-webhook')).toMatchObject({ DATABASE_ENDPOINT: 'readOnly', WRITE_FORWARDING: 'true' });
    expect(envOf('tertiary', 'trading-prod-api-preferences')).toMatchObject({ DATABASE_ENDPOINT: 'readOnly', WRITE_FORWARDING: 'true', MIGRATE_API_SCHEMA: 'false' });
  });

  it('the primary writes through the writer and runs the API schema migrations', () => {
    expect(envOf('primary', 'trading-prod-api-plans')).toMatchObject({ DATABASE_ENDPOINT: 'readWrite', WRITE_FORWARDING: 'false', MIGRATE_API_SCHEMA: 'true' });
    expect(envOf('primary', 'trading-prod-api-preferences')).toMatchObject({ DATABASE_ENDPOINT: 'readWrite', WRITE_FORWARDING: 'false', MIGRATE_API_SCHEMA: 'true' });
    expect(envOf('secondary', 'trading-prod-api-plans')).toMatchObject({ DATABASE_ENDPOINT: 'readWrite', MIGRATE_API_SCHEMA: 'false' });
  });

  it('trading-core regions publish commands to MSK and consume trading.positions for cache invalidation; the tertiary forwards', () => {
    for (const role of ['primary', 'secondary'] as const) {
      expect(envOf(role, 'trading-prod-api-commands')).toMatchObject({ SIGNAL_SINK: 'kafka', KILL_SWITCH_PARAMETER: '/trading/prod/application/kill-switch' });
      template(role).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: Match.anyValue(),
        Topics: ['trading.positions'],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'trading-prod-api-cache-invalidation' },
      });
    }
    expect(envOf('tertiary', 'trading-prod-api-commands')).toMatchObject({ SIGNAL_SINK: 'forward', FORWARD_REGIONS: 'us-east-1,us-west-2', FORWARD_FUNCTION: 'trading-prod-api-commands' });
    template('tertiary').resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    template('tertiary').hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: Match.arrayWith([Match.stringLikeRegexp('us-east-1')]) })]) },
    });
  });

  it('other regions read the user pool ids from the primary at deploy time; the primary reads its own', () => {
    template('tertiary').hasResourceProperties('Custom::AWS', { Create: Match.stringLikeRegexp('/trading/prod/identity/user-pool-id') });
    template('primary').resourceCountIs('Custom::AWS', 0);
  });

  it('the identity stack exists in the primary only: user pool with MFA, app client, replicated webhook secret', () => {
    expect(regionOf('secondary').identity).toBeUndefined();
    expect(regionOf('tertiary').identity).toBeUndefined();
    const t = platform.template(regionOf('primary').identity!);
    t.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolName: 'trading-prod-users', MfaConfiguration: 'ON', UserPoolTier: 'PLUS' });
    t.hasResourceProperties('AWS::Cognito::UserPoolClient', { GenerateSecret: false, AccessTokenValidity: config.api.tokenValidityMinutes });
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'trading-prod-api-billing-webhook',
      ReplicaRegions: [{ Region: config.regions.secondary.region }, { Region: config.regions.tertiary.region }],
    });
  });
});

describe('api config (rules across fields name the field)', () => {
  const withApi = (api: object) => () => validateConfig({ ...prodFile, api: { ...prodFile.api, ...api } }, 'prod.ts');

  it('refuses a usage plan faster than the stage, naming the field', () => {
    const plans = [{ name: 'free', throttle: { rateLimit: 999_999, burstLimit: 10 }, dailyQuota: null }];
    expect(withApi({ usagePlans: plans })).toThrow(/api\.usagePlans\.0\.throttle\.rateLimit/);
  });

  it('refuses a custom domain outside its hosted zone and a bad certificate ARN', () => {
    const arn = 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000';
    const domain = { domainName: 'api.example.org', hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.com', certificateArns: { primary: arn, secondary: arn, tertiary: 'nope' } };
    expect(withApi({ customDomain: domain })).toThrow(/api\.customDomain\.certificateArns\.tertiary/);
    expect(withApi({ customDomain: { ...domain, certificateArns: { primary: arn, secondary: arn, tertiary: arn } } })).toThrow(/api\.customDomain\.domainName/);
  });

  it('refuses a WAF rate limit WAF would not accept', () => {
    expect(withApi({ waf: { rateLimitPer5Minutes: 5 } })).toThrow(/api\.waf\.rateLimitPer5Minutes/);
  });
});

describe('api custom domain (when config sets one)', () => {
  const arn = (region: string) => `arn:aws:acm:${region}:111111111111:certificate/00000000-0000-0000-0000-000000000000`;
  const customDomain = {
    domainName: 'api.example.com',
    hostedZoneId: 'Z0123456789ABC',
    hostedZoneName: 'example.com',
    certificateArns: { primary: arn('us-east-1'), secondary: arn('us-west-2'), tertiary: arn('eu-west-1') },
  };
  const app = testApp();
  const withDomain = validateConfig({ ...prodFile, api: { ...prodFile.api, customDomain } }, 'prod.ts');
  const built = buildPlatform(app, withDomain, resolveAccount(TEST_ACCOUNT, undefined));

  it.each(REGION_ROLES)('%s: maps the domain with its own certificate, behind a latency record guarded by a /health check', (role) => {
    const region = withDomain.regions[role].region;
    const t = Template.fromStack(built.regions.find((r) => r.role === role)!.api!);
    t.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      RegionalCertificateArn: customDomain.certificateArns[role],
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', ResourcePath: '/v1/health', RequestInterval: 30, FailureThreshold: 3 }),
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'api.example.com.',
      Type: 'CNAME',
      TTL: '60',
      Region: region,
      SetIdentifier: region,
      HealthCheckId: Match.anyValue(),
    });
  });
});
