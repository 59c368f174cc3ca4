/**
 * The API tier of a region, in EVERY region (the tertiary too): a regional REST API and a WebSocket API
 * on API Gateway, the JWT authorizer, WAF on the REST stage, usage plans per client tier, and the route
 * Lambdas. Reads go to the region's Aurora readers through the read-only proxy endpoint; writes go to
 * the writer (read/write endpoint) or, where the cluster forwards writes (the tertiary), through the
 * read-only endpoint. See docs/api.md.
 */
import { ArnFormat, Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ManagedKafkaEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { TOPICS } from '@shared/events';
import { REGION_ROLES, ROLE_CAPABILITIES } from '../config';
import { acknowledge } from '../compliance';
import { ApiCustomDomain } from '../constructs/api-custom-domain';
import { ApiWaf } from '../constructs/api-waf';
import { CrossRegionParameter } from '../constructs/cross-region-parameter';
import { grantKafka } from '../constructs/kafka-access';
import { PlatformFunction, type PlatformFunctionProps } from '../constructs/platform-function';
import { DATA_PARAMETERS, DATA_TABLES, DataContract } from './data-contract';
import { importKafkaCluster } from './messaging-stack';
import { importPlatformVpc } from './network-stack';
import { PlatformStack, type PlatformStackProps } from './platform-stack';

/** How the API functions of a role reach Aurora (docs/api.md#regions). */
export interface DatabaseBinding {
  /** Dashboard reads: always this region's readers. */
  readonly reads: 'readOnly';
  /** Plans and billing writes. */
  readonly writes: 'readWrite' | 'readOnly';
  /** Writes go through readers that forward them (Aurora global write forwarding). */
  readonly writeForwarding: boolean;
  /** The API schema's migrations run here (DDL is never forwarded). */
  readonly migrates: boolean;
}

export function databaseBinding(stack: PlatformStack): DatabaseBinding {
  const forwards = stack.config.data.aurora.writeForwarding.includes(stack.role as never);
  const writer = ROLE_CAPABILITIES[stack.role].isWriterRegion;
  // A secondary without forwarding writes through its proxy's read/write endpoint, which works once the
  // region is promoted; until then its plan and billing writes fail (503) and clients retry elsewhere.
  return { reads: 'readOnly', writes: forwards ? 'readOnly' : 'readWrite', writeForwarding: forwards, migrates: writer };
}

export class ApiStack extends PlatformStack {
  readonly restApi: apigateway.RestApi;
  readonly webSocketApi: apigwv2.WebSocketApi;
  readonly webSocketStage: apigwv2.WebSocketStage;
  readonly functions: Record<string, PlatformFunction> = {};

  constructor(scope: Construct, id: string, props: Omit<PlatformStackProps, 'description'>) {
    super(scope, id, { ...props, description: `API tier of the ${props.role} region: REST and WebSocket APIs, JWT authorizer, WAF, route functions` });
    const { naming, config } = this;
    const api = config.api;
    const names = naming.api;
    const region = this.regionConfig.region;
    const primaryRegion = config.regions.primary.region;
    const data = DataContract.of(this);
    const binding = databaseBinding(this);
    const tradingCore = ROLE_CAPABILITIES[this.role].runsTradingCore;

    // --- identity: the pool lives in the primary; other regions copy its ids at deploy time -------------
    const identityValue = (parameterName: string, id: string) =>
      this.role === 'primary'
        ? ssm.StringParameter.valueForStringParameter(this, parameterName)
        : new CrossRegionParameter(this, id, { region: primaryRegion, parameterName, logRetention: this.logRetention }).value;
    const userPoolId = identityValue(naming.identity.userPoolIdParameter, 'UserPoolId');
    const userPoolClientId = identityValue(naming.identity.userPoolClientIdParameter, 'UserPoolClientId');

    // --- functions ----------------------------------------------------------------------------------
    const vpc = importPlatformVpc(this, ['private']);
    const shardMapParameter = naming.parameter('data', ...DATA_PARAMETERS.shardMap);
    const fn = (key: keyof typeof names.functions, entry: string, description: string, extra: Partial<PlatformFunctionProps> = {}) =>
      (this.functions[key] = new PlatformFunction(this, `${key[0].toUpperCase()}${key.slice(1)}Function`, {
        entry: `functions/${entry}/handler.ts`,
        functionName: names.functions[key],
        description,
        logRetention: this.logRetention,
        ...extra,
        environment: { POWERTOOLS_METRICS_NAMESPACE: names.metricNamespace, MAX_BODY_BYTES: String(api.maxBodyBytes), ...extra.environment },
      }));
    const readParameters = (f: PlatformFunction, ...parameterNames: string[]) =>
      f.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: parameterNames.map((p) => this.parameterArn(p)) }));
    const databaseEnvironment = { SHARD_MAP_PARAMETER: shardMapParameter, DATABASE_USER: data.databaseUsers[0] };
    const grantDatabase = (f: PlatformFunction) => {
      readParameters(f, shardMapParameter);
      for (let shard = 0; shard < data.shardCount; shard++) data.grantConnect(f, shard, data.databaseUsers[0]);
    };
    const grantCache = (f: PlatformFunction) => {
      f.addEnvironment('CACHE_ENDPOINT', data.cache.configurationEndpoint);
      f.addEnvironment('CACHE_PORT', String(data.cache.port));
      f.bindSecret('CACHE_AUTH_SECRET_ARN', data.cache.authSecret);
    };
    // PlatformFunction puts it in the private subnets with egress and adds the HTTPS group for AWS APIs.
    const inVpc = (...groups: ec2.ISecurityGroup[]): Partial<PlatformFunctionProps> => ({ vpc, securityGroups: groups });

    // The authorizer touches no data tier: outside the VPC it reaches SSM and the pool's JWKS without NAT.
    const authorizer = fn('authorizer', 'api-authorizer', 'JWT authorizer (RS256 against the user pool JWKS, kept region-local)', {
      memorySize: 256,
      timeout: Duration.seconds(5),
      environment: { USER_POOL_ID: userPoolId, USER_POOL_CLIENT_ID: userPoolClientId, JWKS_COPY_PARAMETER: names.jwksCopyParameter },
    });
    const jwksCopy = new ssm.StringParameter(this, 'JwksCopy', {
      parameterName: names.jwksCopyParameter,
      // The authorizer fills it on its first successful fetch and rewrites it when the pool's keys change.
      stringValue: '{"keys":[]}',
      description: "Region-local copy of the user pool's JWKS: tokens verify here while the pool's region is down",
    });
    jwksCopy.grantRead(authorizer);
    jwksCopy.grantWrite(authorizer);

    const dashboard = fn('dashboard', 'api-dashboard', 'Dashboard reads (positions, trades, performance) with cache-aside', {
      ...inVpc(data.databaseClients, data.cacheClients),
      environment: {
        ...databaseEnvironment,
        POSITIONS_TTL_SECONDS: String(api.cache.positionsTtlSeconds),
        PERFORMANCE_TTL_SECONDS: String(api.cache.performanceTtlSeconds),
        L1_TTL_SECONDS: String(api.cache.l1TtlSeconds),
        L1_MAX_ENTRIES: String(api.cache.l1MaxEntries),
      },
    });
    grantDatabase(dashboard);
    grantCache(dashboard);

    const writeEnvironment = {
      ...databaseEnvironment,
      DATABASE_ENDPOINT: binding.writes,
      WRITE_FORWARDING: String(binding.writeForwarding),
      MIGRATE_API_SCHEMA: String(binding.migrates),
      EVENT_BUS_NAME: naming.opsBusName,
    };
    const putEvents = new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: [naming.opsBusArn(this.partition, region, this.account)] });
    const plans = fn('plans', 'api-plans', 'Investment plans: create, list, update, cancel', { ...inVpc(data.databaseClients), environment: writeEnvironment });
    grantDatabase(plans);
    plans.addToRolePolicy(putEvents);
    // Notification preferences are written like plans: on the user's shard, forwarded to the writer in the tertiary.
    const preferences = fn('preferences', 'api-preferences', 'Notification preferences: read and replace the caller\'s', { ...inVpc(data.databaseClients), environment: writeEnvironment });
    grantDatabase(preferences);

    const billing = fn('billingWebhook', 'api-billing-webhook', 'Billing webhook: HMAC-verified, idempotent subscription updates', {
      ...inVpc(data.databaseClients),
      environment: writeEnvironment,
    });
    grantDatabase(billing);
    billing.addToRolePolicy(putEvents);
    // Created in the primary by the identity stack and replicated under the same name to every region.
    const signingSecret = secretsmanager.Secret.fromSecretNameV2(this, 'BillingWebhookSecret', names.billingWebhookSecretName);
    billing.addEnvironment('SIGNING_SECRET_ARN', signingSecret.secretArn);
    billing.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [`${signingSecret.secretArn}-??????`] }));

    let commands: PlatformFunction;
    if (tradingCore) {
      const kafka = importKafkaCluster(this);
      commands = fn('commands', 'api-commands', 'Trading commands: validated signals and orders to trading.signals', {
        ...inVpc(kafka.clientSecurityGroup),
        environment: { SIGNAL_SINK: 'kafka', KAFKA_BROKERS: kafka.bootstrapBrokers, KILL_SWITCH_PARAMETER: naming.killSwitchParameter },
      });
      readParameters(commands, naming.killSwitchParameter);
      grantKafka(commands, { clusterArn: kafka.clusterArn, produce: [TOPICS.signals] });

      // Position changes bump the users' cache versions (the tertiary has no MSK: its cache relies on TTLs).
      const invalidation = fn('cacheInvalidation', 'api-cache-invalidation', 'Invalidates dashboard cache entries on trading.positions', {
        ...inVpc(kafka.clientSecurityGroup, data.cacheClients),
        environment: { KAFKA_BROKERS: kafka.bootstrapBrokers },
      });
      grantCache(invalidation);
      grantKafka(invalidation, {
        clusterArn: kafka.clusterArn,
        produce: [TOPICS.deadLetter],
        consume: [{ topics: [TOPICS.positions], groupId: names.cacheInvalidationConsumerGroup }],
      });
      acknowledge(invalidation.role!, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole]',
        reason: "Lambda's MSK event source attaches AWSLambdaMSKExecutionRole itself (cluster and network-interface discovery); the data-plane reads are granted per topic and group by grantKafka.",
      });
      invalidation.addEventSource(
        new ManagedKafkaEventSource({
          clusterArn: kafka.clusterArn,
          topic: TOPICS.positions,
          consumerGroupId: names.cacheInvalidationConsumerGroup,
          startingPosition: lambda.StartingPosition.LATEST,
          batchSize: 500,
          maxBatchingWindow: Duration.seconds(1),
        }),
      );
    } else {
      // The tertiary forwards validated signals to the trading-core regions' commands functions.
      const forwardRegions = REGION_ROLES.filter((r) => ROLE_CAPABILITIES[r].runsTradingCore).map((r) => config.regions[r].region);
      commands = fn('commands', 'api-commands', 'Trading commands: validated here, forwarded to a trading-core region', {
        environment: { SIGNAL_SINK: 'forward', FORWARD_REGIONS: forwardRegions.join(','), FORWARD_FUNCTION: names.functions.commands },
      });
      commands.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: forwardRegions.map((r) => this.formatArn({ service: 'lambda', region: r, resource: 'function', resourceName: names.functions.commands, arnFormat: ArnFormat.COLON_RESOURCE_NAME })),
        }),
      );
    }

    const webSocket = fn('webSocket', 'api-websocket', 'WebSocket routes: connect, disconnect, subscribe, unsubscribe', {
      memorySize: 256,
      environment: { CONNECTION_TTL_SECONDS: String(api.webSocket.connectionTtlMinutes * 60) },
    });
    // Exactly what the routes do (no scans, no index reads); the global table's replica is under the data key.
    const connections = data.table('connections');
    webSocket.addEnvironment('CONNECTIONS_TABLE', connections.tableName);
    webSocket.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], resources: [connections.tableArn] }));
    webSocket.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [data.dataKey.keyArn] }));

    // --- REST API -----------------------------------------------------------------------------------
    const accessLogs = new logs.LogGroup(this, 'RestAccessLogs', { logGroupName: names.restAccessLogGroup, retention: this.logRetention, removalPolicy: this.dataRemovalPolicy });
    const tokenAuthorizer = new apigateway.TokenAuthorizer(this, 'JwtAuthorizer', {
      handler: authorizer,
      authorizerName: naming.physicalName('jwt'),
      identitySource: apigateway.IdentitySource.header('Authorization'),
      validationRegex: '^Bearer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+$',
      resultsCacheTtl: Duration.minutes(5),
    });
    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: names.restApiName,
      description: `REST API of the ${this.role} region`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: this.dataRemovalPolicy,
      deployOptions: {
        stageName: names.stageName,
        throttlingRateLimit: api.stageThrottle.rateLimit,
        throttlingBurstLimit: api.stageThrottle.burstLimit,
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        metricsEnabled: true,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
      defaultMethodOptions: { authorizer: tokenAuthorizer, apiKeyRequired: true },
      apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
    });
    this.addGatewayResponses();
    acknowledge(this.restApi, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: "API Gateway's account-level logging role: the AWS managed policy is the documented way to let the service write execution logs, and it grants only CloudWatch Logs writes.",
    });

    const validator = this.restApi.addRequestValidator('Validator', { requestValidatorName: 'body-and-parameters', validateRequestBody: true, validateRequestParameters: true });
    const bodyModel = (name: string, required: string[]) =>
      this.restApi.addModel(`${name}Model`, {
        contentType: 'application/json',
        modelName: name,
        schema: { type: apigateway.JsonSchemaType.OBJECT, required, properties: Object.fromEntries(required.map((r) => [r, {}])) },
      });
    const integrate = (f: lambda.IFunction) => new apigateway.LambdaIntegration(f, { proxy: true });

    const health = this.restApi.root.addResource(naming.api.healthPath.slice(1));
    health.addMethod(
      'GET',
      new apigateway.MockIntegration({
        requestTemplates: { 'application/json': '{"statusCode": 200}' },
        integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': JSON.stringify({ status: 'ok', region, role: this.role }) } }],
      }),
      { authorizationType: apigateway.AuthorizationType.NONE, apiKeyRequired: false, methodResponses: [{ statusCode: '200' }] },
    );

    const dashboardResource = this.restApi.root.addResource('dashboard');
    dashboardResource.addResource('positions').addMethod('GET', integrate(dashboard), { requestValidator: validator });
    dashboardResource.addResource('trades').addMethod('GET', integrate(dashboard), {
      requestValidator: validator,
      requestParameters: { 'method.request.querystring.limit': false, 'method.request.querystring.cursor': false },
    });
    dashboardResource.addResource('performance').addMethod('GET', integrate(dashboard), { requestValidator: validator, requestParameters: { 'method.request.querystring.window': false } });

    const plansResource = this.restApi.root.addResource('plans');
    plansResource.addMethod('GET', integrate(plans), { requestValidator: validator });
    plansResource.addMethod('POST', integrate(plans), { requestValidator: validator, requestModels: { 'application/json': bodyModel('CreatePlan', ['symbol', 'amount', 'currency', 'frequency']) } });
    const plan = plansResource.addResource('{planId}');
    plan.addMethod('PATCH', integrate(plans), { requestValidator: validator, requestParameters: { 'method.request.path.planId': true } });
    plan.addMethod('DELETE', integrate(plans), { requestValidator: validator, requestParameters: { 'method.request.path.planId': true } });

    const notificationPreferences = this.restApi.root.addResource('notifications').addResource('preferences');
    notificationPreferences.addMethod('GET', integrate(preferences), { requestValidator: validator });
    // Every field is optional (PUT replaces the whole document): the gateway only checks for an object; the function names a bad field.
    const preferencesModel = this.restApi.addModel('NotificationPreferencesModel', {
      contentType: 'application/json',
      modelName: 'NotificationPreferences',
      schema: { type: apigateway.JsonSchemaType.OBJECT },
    });
    notificationPreferences.addMethod('PUT', integrate(preferences), { requestValidator: validator, requestModels: { 'application/json': preferencesModel } });

    const trading = this.restApi.root.addResource('trading');
    trading.addResource('signals').addMethod('POST', integrate(commands), { requestValidator: validator, requestModels: { 'application/json': bodyModel('Signal', ['symbol', 'action']) } });
    trading.addResource('orders').addMethod('POST', integrate(commands), { requestValidator: validator, requestModels: { 'application/json': bodyModel('Order', ['symbol', 'side', 'quantity']) } });

    // The billing provider has no user token: the signature (HMAC, verified by the function) authenticates it.
    const webhook = this.restApi.root.addResource('billing').addResource('webhook');
    const webhookMethod = webhook.addMethod('POST', integrate(billing), {
      authorizationType: apigateway.AuthorizationType.NONE,
      apiKeyRequired: false,
      requestValidator: validator,
      requestParameters: { 'method.request.header.x-billing-signature': true },
    });
    acknowledge(webhookMethod, {
      id: 'AwsSolutions-APIG4',
      reason: "The billing provider cannot obtain a user JWT: the function verifies the request's HMAC-SHA256 signature with the shared secret and a 5-minute replay window before reading it.",
    });
    acknowledge(webhookMethod, {
      id: 'AwsSolutions-COG4',
      reason: "The billing provider cannot obtain a Cognito token: the function verifies the request's HMAC-SHA256 signature with the shared secret and a 5-minute replay window.",
    });
    const healthMethod = health.node.findChild('GET');
    acknowledge(healthMethod, {
      id: 'AwsSolutions-APIG4',
      reason: 'Route 53 health checks and canaries call /health without credentials; it is a mock integration that returns a constant and reaches no data.',
    });
    acknowledge(healthMethod, {
      id: 'AwsSolutions-COG4',
      reason: 'Route 53 health checks and canaries call /health without credentials; it is a mock integration that returns a constant and reaches no data.',
    });
    acknowledge(this.restApi, {
      id: 'AwsSolutions-COG4',
      reason:
        'Methods use a Lambda JWT authorizer that verifies Cognito RS256 tokens against a region-local copy of the pool JWKS; a Cognito authorizer would tie every region to the pool region.',
    });

    for (const tier of api.usagePlans) {
      const key = this.restApi.addApiKey(`ApiKey-${tier.name}`, { apiKeyName: naming.physicalName('api', tier.name) });
      const usagePlan = this.restApi.addUsagePlan(`UsagePlan-${tier.name}`, {
        name: naming.physicalName('api', tier.name),
        description: `Client tier ${tier.name}`,
        throttle: { rateLimit: tier.throttle.rateLimit, burstLimit: tier.throttle.burstLimit },
        ...(tier.dailyQuota ? { quota: { limit: tier.dailyQuota, period: apigateway.Period.DAY } } : {}),
        apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
      });
      usagePlan.addApiKey(key);
    }

    new ApiWaf(this, 'Waf', { name: names.webAclName, stageArn: this.restApi.deploymentStage.stageArn, rateLimitPer5Minutes: api.waf.rateLimitPer5Minutes });

    // --- WebSocket API --------------------------------------------------------------------------------
    const wsIntegration = (id: string) => new WebSocketLambdaIntegration(id, webSocket);
    this.webSocketApi = new apigwv2.WebSocketApi(this, 'WebSocketApi', {
      apiName: names.webSocketApiName,
      description: `WebSocket API of the ${this.role} region: position and trade updates`,
      routeSelectionExpression: '$request.body.action',
      connectRouteOptions: {
        integration: wsIntegration('ConnectIntegration'),
        // Browsers cannot set headers on a WebSocket: the JWT comes as ?token=.
        authorizer: new WebSocketLambdaAuthorizer('JwtConnectAuthorizer', authorizer, { authorizerName: naming.physicalName('ws-jwt'), identitySource: ['route.request.querystring.token'] }),
      },
      disconnectRouteOptions: { integration: wsIntegration('DisconnectIntegration') },
      defaultRouteOptions: { integration: wsIntegration('DefaultIntegration'), returnResponse: true },
    });
    this.webSocketApi.addRoute('subscribe', { integration: wsIntegration('SubscribeIntegration'), returnResponse: true });
    this.webSocketApi.addRoute('unsubscribe', { integration: wsIntegration('UnsubscribeIntegration'), returnResponse: true });
    const wsAccessLogs = new logs.LogGroup(this, 'WebSocketAccessLogs', { logGroupName: names.webSocketAccessLogGroup, retention: this.logRetention, removalPolicy: this.dataRemovalPolicy });
    this.webSocketStage = new apigwv2.WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: this.webSocketApi,
      stageName: names.stageName,
      autoDeploy: true,
      throttle: { rateLimit: api.stageThrottle.rateLimit, burstLimit: api.stageThrottle.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(wsAccessLogs),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({ requestId: '$context.requestId', connectionId: '$context.connectionId', routeKey: '$context.routeKey', eventType: '$context.eventType', status: '$context.status', error: '$context.error.message', integrationError: '$context.integrationErrorMessage', ip: '$context.identity.sourceIp', requestTime: '$context.requestTime' }),
        ),
      },
    });
    (this.webSocketStage.node.defaultChild as apigwv2.CfnStage).addPropertyOverride('DefaultRouteSettings.LoggingLevel', 'ERROR');
    for (const route of ['$disconnect', '$default', 'subscribe', 'unsubscribe']) {
      const routeConstruct = this.webSocketApi.node.findChild(`${route}-Route`);
      acknowledge(routeConstruct, {
        id: 'AwsSolutions-APIG4',
        reason: 'WebSocket authorization happens once, on $connect (JWT authorizer); API Gateway allows authorizers on $connect only, and later frames ride that connection.',
      });
    }

    // --- names other stacks and regions read --------------------------------------------------------
    new ssm.StringParameter(this, 'RestApiIdParameter', { parameterName: names.restApiIdParameter, stringValue: this.restApi.restApiId, description: 'REST API id of this region' });
    new ssm.StringParameter(this, 'WebSocketApiIdParameter', {
      parameterName: names.webSocketApiIdParameter,
      stringValue: this.webSocketApi.apiId,
      description: `WebSocket API id; management endpoint https://<id>.execute-api.${region}.amazonaws.com/${names.stageName}`,
    });

    if (api.customDomain) {
      new ApiCustomDomain(this, 'CustomDomain', {
        api: this.restApi,
        domainName: api.customDomain.domainName,
        hostedZoneId: api.customDomain.hostedZoneId,
        hostedZoneName: api.customDomain.hostedZoneName,
        certificateArn: api.customDomain.certificateArns[this.role],
        region,
        healthPath: `/${names.stageName}${names.healthPath}`,
      });
    }
  }

  private parameterArn(name: string): string {
    return this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
  }

  /** JSON error bodies with the request id; API Gateway's unknown-route 403 becomes a 404. */
  private addGatewayResponses(): void {
    const body = (message: string) => ({ 'application/json': `{"message":"${message}","requestId":"$context.requestId"}` });
    const responses: [string, apigateway.ResponseType, string, string][] = [
      ['Unauthorized', apigateway.ResponseType.UNAUTHORIZED, '401', 'missing or invalid bearer token'],
      ['AccessDenied', apigateway.ResponseType.ACCESS_DENIED, '403', 'access denied'],
      ['InvalidApiKey', apigateway.ResponseType.INVALID_API_KEY, '403', 'missing or invalid x-api-key'],
      ['WafBlocked', apigateway.ResponseType.WAF_FILTERED, '403', 'request blocked'],
      ['UnknownRoute', apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, '404', 'unknown route'],
      ['Throttled', apigateway.ResponseType.THROTTLED, '429', 'too many requests; slow down'],
      ['QuotaExceeded', apigateway.ResponseType.QUOTA_EXCEEDED, '429', 'daily quota of this API key exceeded'],
      ['TooLarge', apigateway.ResponseType.REQUEST_TOO_LARGE, '413', 'request too large'],
      ['Default4xx', apigateway.ResponseType.DEFAULT_4XX, '400', 'bad request'],
      ['Default5xx', apigateway.ResponseType.DEFAULT_5XX, '500', 'internal error; quote the requestId when reporting it'],
    ];
    for (const [id, type, statusCode, message] of responses) this.restApi.addGatewayResponse(id, { type, statusCode, templates: body(message) });
    this.restApi.addGatewayResponse('BadRequestBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: { 'application/json': '{"message":"$context.error.validationErrorString","requestId":"$context.requestId"}' },
    });
  }
}

/** DATA_TABLES.connections' TTL attribute, which the WebSocket function sets (expiresAt, epoch seconds). */
export const CONNECTION_TTL_ATTRIBUTE = DATA_TABLES.connections.ttlAttribute;
