import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { TOPIC_NAMES, USER_KEYED_TOPICS } from '@shared/events';
import { loadConfig, REGION_ROLES, resolveAccount, ROLE_CAPABILITIES, type RegionRole } from '../../lib/config';
import { grantKafka } from '../../lib/constructs/kafka-access';
import { buildPlatform } from '../../lib/platform';
import { importKafkaCluster, MSK_BOOTSTRAP_CONTEXT } from '../../lib/stacks/messaging-stack';
import { PlatformStack } from '../../lib/stacks/platform-stack';
import { ALL_ENVIRONMENTS, platformOf, TEST_ACCOUNT, testApp } from '../helpers/platform';

const decode = (base64: string) => JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));

describe.each(ALL_ENVIRONMENTS)('messaging stacks in %s', (env) => {
  const platform = platformOf(env);
  const { config } = platform;
  const kafka = config.messaging.kafka;
  const stackOf = (role: RegionRole) => platform.regions.find((r) => r.role === role)!.messaging;
  const templateOf = (role: RegionRole) => platform.template(stackOf(role));
  const regionOf = (role: RegionRole) => config.regions[role].region;

  it('exist once per region, stateful, after the region\'s network', () => {
    for (const { role, messaging, network } of platform.regions) {
      expect(messaging.stackName).toBe(`trading-${env}-${regionOf(role)}-messaging`);
      expect(messaging.region).toBe(regionOf(role));
      expect(messaging.terminationProtection).toBe(true);
      expect(messaging.dependencies).toContain(network);
    }
    // The secondary reads the primary's parameters: the primary deploys first.
    expect(stackOf('secondary').dependencies).toContain(stackOf('primary'));
  });

  it.each(REGION_ROLES)('%s: an MSK cluster only where the role runs the trading core', (role) => {
    const expected = ROLE_CAPABILITIES[role].runsTradingCore ? 1 : 0;
    const t = templateOf(role);
    t.resourceCountIs('AWS::MSK::Cluster', expected);
    t.resourceCountIs('AWS::MSK::Topic', expected * TOPIC_NAMES.length);
    // The requirement, pinned: MSK in the primary and the secondary, never in the tertiary.
    expect(expected).toBe(role === 'tertiary' ? 0 : 1);
  });

  it.each(['primary', 'secondary'] as const)('%s: brokers over three zones, IAM over TLS only, CMK at rest, logs, monitoring', (role) => {
    const t = templateOf(role);
    t.hasResourceProperties('AWS::MSK::Cluster', {
      ClusterName: `trading-${env}-kafka`,
      KafkaVersion: kafka.version,
      NumberOfBrokerNodes: kafka.brokers,
      EnhancedMonitoring: kafka.enhancedMonitoring,
      BrokerNodeGroupInfo: Match.objectLike({
        InstanceType: kafka.brokerInstanceType,
        ClientSubnets: [0, 1, 2].map((i) => ({ 'Fn::Select': [i, { 'Fn::Split': [',', Match.objectLike({ Ref: Match.stringLikeRegexp('networksubnetsisolated') })] }] })),
        StorageInfo: { EBSStorageInfo: { VolumeSize: kafka.storage.initialGiB } },
        ConnectivityInfo: { VpcConnectivity: { ClientAuthentication: { Sasl: { Iam: { Enabled: true } } } } },
      }),
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: {
        EncryptionAtRest: { DataVolumeKMSKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaKey'), 'Arn'] } },
        EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: { Ref: Match.stringLikeRegexp('^KafkaBrokerLogs') } } } },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: config.logs.retentionDays });
    t.hasResourceProperties('AWS::MSK::Configuration', {
      KafkaVersionsList: [kafka.version],
      ServerProperties: Match.stringLikeRegexp('auto.create.topics.enable=false[\\s\\S]*min.insync.replicas=2[\\s\\S]*unclean.leader.election.enable=false'),
    });
    t.hasResource('AWS::MSK::Cluster', { DeletionPolicy: env === 'dev' ? 'Delete' : 'Retain' });
  });

  it.each(['primary', 'secondary'] as const)('%s: storage grows by itself up to the configured maximum', (role) => {
    const t = templateOf(role);
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'kafka',
      ScalableDimension: 'kafka:broker-storage:VolumeSize',
      MinCapacity: kafka.storage.initialGiB,
      MaxCapacity: kafka.storage.maxGiB,
    });
    t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'KafkaBrokerStorageUtilization' },
        DisableScaleIn: true,
      }),
    });
  });

  it.each(['primary', 'secondary'] as const)('%s: every catalog topic with partitions, retention and min ISR from config', (role) => {
    const t = templateOf(role);
    for (const name of TOPIC_NAMES) {
      const topics = t.findResources('AWS::MSK::Topic', { Properties: { TopicName: name } });
      expect(Object.keys(topics)).toHaveLength(1);
      const [topic] = Object.values(topics);
      expect(topic.Properties).toEqual(
        expect.objectContaining({ PartitionCount: kafka.topics[name].partitions, ReplicationFactor: kafka.replicationFactor }),
      );
      expect(decode(topic.Properties.Configs)).toEqual({
        'cleanup.policy': 'delete',
        'retention.ms': String(kafka.topics[name].retentionHours * 3_600_000),
        'min.insync.replicas': String(kafka.minInsyncReplicas),
      });
      expect(topic.DeletionPolicy).toBe(env === 'dev' ? 'Delete' : 'Retain');
      if (env === 'prod' && (USER_KEYED_TOPICS as readonly string[]).includes(name)) {
        expect(topic.Properties.PartitionCount).toBeGreaterThanOrEqual(24);
        expect(topic.Properties.ReplicationFactor).toBe(3);
      }
    }
  });

  it.each(['primary', 'secondary'] as const)('%s: brokers admit 9098 from the kafka client group only', (role) => {
    const t = templateOf(role);
    const groups = t.findResources('AWS::EC2::SecurityGroup');
    const idOf = (prefix: string) => Object.keys(groups).find((id) => id.startsWith(prefix))!;
    const [broker, client] = [idOf('KafkaBrokerSecurityGroup'), idOf('KafkaClientSecurityGroup')];
    // No inline ingress on the brokers' group; exactly one ingress rule, from the client group, on 9098.
    expect(groups[broker].Properties.SecurityGroupIngress).toBeUndefined();
    t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [broker, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [client, 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 9098,
      ToPort: 9098,
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [client, 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [broker, 'GroupId'] },
      FromPort: 9098,
      ToPort: 9098,
    });
    t.hasResourceProperties('AWS::MSK::Cluster', { BrokerNodeGroupInfo: Match.objectLike({ SecurityGroups: [{ 'Fn::GetAtt': [broker, 'GroupId'] }] }) });
  });

  it.each(['primary', 'secondary'] as const)('%s: publishes cluster ARN, IAM bootstrap brokers and the client group in SSM', (role) => {
    const t = templateOf(role);
    const prefix = `/trading/${env}/messaging/kafka`;
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: `${prefix}/cluster-arn`, Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaCluster'), 'Arn'] } });
    t.hasResourceProperties('AWS::SSM::Parameter', {
      Name: `${prefix}/bootstrap-brokers`,
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaBootstrapBrokers'), 'BootstrapBrokerStringSaslIam'] },
    });
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: `${prefix}/client-security-group-id` });
    // The call's parameters hold the cluster ARN (a token), so the request is a Fn::Join, not a plain string.
    const lookups = Object.values(t.findResources('Custom::AWS')).filter((r) => JSON.stringify(r.Properties.Create).includes('getBootstrapBrokers'));
    expect(lookups).toHaveLength(1);
    expect(JSON.stringify(lookups[0].Properties.Create)).toContain('\\"service\\":\\"Kafka\\"');
  });

  it('a Replicator in the secondary only, from the primary\'s cluster read cross-region from SSM', () => {
    templateOf('primary').resourceCountIs('AWS::MSK::Replicator', 0);
    templateOf('tertiary').resourceCountIs('AWS::MSK::Replicator', 0);
    const t = templateOf('secondary');
    t.resourceCountIs('AWS::MSK::Replicator', 1);
    const reads = t.findResources('Custom::AWS');
    const readOf = (name: string) =>
      Object.keys(reads).find((id) => {
        const create = JSON.parse(JSON.stringify(reads[id].Properties.Create));
        return typeof create === 'string' && JSON.parse(create).parameters?.Name === name && JSON.parse(create).region === regionOf('primary');
      });
    const clusterArnRead = readOf(`/trading/${env}/messaging/kafka/cluster-arn`);
    const subnetsRead = readOf(`/trading/${env}/network/subnets/isolated`);
    const clientGroupRead = readOf(`/trading/${env}/messaging/kafka/client-security-group-id`);
    expect([clusterArnRead, subnetsRead, clientGroupRead].every(Boolean)).toBe(true);

    t.hasResourceProperties('AWS::MSK::Replicator', {
      ReplicatorName: `trading-${env}-kafka-${regionOf('primary')}-to-${regionOf('secondary')}`,
      KafkaClusters: [
        Match.objectLike({
          AmazonMskCluster: { MskClusterArn: { 'Fn::GetAtt': [clusterArnRead, 'Parameter.Value'] } },
          VpcConfig: { SecurityGroupIds: [{ 'Fn::GetAtt': [clientGroupRead, 'Parameter.Value'] }], SubnetIds: Match.anyValue() },
        }),
        Match.objectLike({ AmazonMskCluster: { MskClusterArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaCluster'), 'Arn'] } } }),
      ],
      ReplicationInfoList: [
        Match.objectLike({
          SourceKafkaClusterArn: { 'Fn::GetAtt': [clusterArnRead, 'Parameter.Value'] },
          TargetKafkaClusterArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaCluster'), 'Arn'] },
          TopicReplication: Match.objectLike({
            TopicsToReplicate: TOPIC_NAMES.map((n) => n.replace(/\./g, '\\.')),
            TopicNameConfiguration: { Type: 'IDENTICAL' },
            CopyTopicConfigurations: true,
            StartingPosition: { Type: 'EARLIEST' },
          }),
          ConsumerGroupReplication: Match.objectLike({ ConsumerGroupsToReplicate: ['.*'], SynchroniseConsumerGroupOffsets: true }),
        }),
      ],
    });
    // The secondary's own topics (with our settings) exist before the Replicator could create them.
    const [replicator] = Object.values(t.findResources('AWS::MSK::Replicator'));
    const topicIds = Object.keys(t.findResources('AWS::MSK::Topic'));
    expect(replicator.DependsOn).toEqual(expect.arrayContaining(topicIds));
  });

  it('the Replicator\'s role reaches the two clusters only', () => {
    const t = templateOf('secondary');
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: `trading-${env}-${regionOf('secondary')}-kafka-replicator`,
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'kafka.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT } } })],
      }),
    });
    const policies = Object.values(t.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes('ReplicatorExecutionRole'),
    );
    const resources = policies.flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Resource].flat()));
    expect(resources).not.toContain('*');
    const literal = resources.filter((r: unknown) => typeof r === 'string') as string[];
    for (const region of [regionOf('primary'), regionOf('secondary')]) {
      for (const kind of ['topic', 'group']) expect(literal).toContain(`arn:aws:kafka:${region}:${TEST_ACCOUNT}:${kind}/trading-${env}-kafka/*`);
    }
  });

  it.each(REGION_ROLES)('%s: an ops bus with an archive and a schema for every ops event', (role) => {
    const t = templateOf(role);
    t.hasResourceProperties('AWS::Events::EventBus', { Name: `trading-${env}-ops` });
    t.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OpsBus'), 'Arn'] },
      RetentionDays: config.messaging.opsBus.archiveRetentionDays,
    });
    t.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: `trading-${env}-ops` });
    const schemas = Object.values(t.findResources('AWS::EventSchemas::Schema'));
    expect(schemas.map((s) => s.Properties.SchemaName).sort()).toEqual(
      [
        'platform.ops.drill@DrillCompleted',
        'platform.ops.failover@FailbackRequested',
        'platform.ops.failover@FailoverAborted',
        'platform.ops.failover@FailoverCompleted',
        'platform.ops.failover@FailoverRequested',
        'platform.ops.failover@FailoverStepCompleted',
        'platform.ops.health@RegionHealthChanged',
      ],
    );
    for (const schema of schemas) {
      expect(schema.Properties.Type).toBe('JSONSchemaDraft4');
      const content = JSON.parse(schema.Properties.Content);
      expect(content.$schema).toBe('http://json-schema.org/draft-04/schema#');
      expect(content.properties.detail.required).toEqual(expect.arrayContaining(['eventId', 'version', 'originRegion']));
    }
  });

  it.each(REGION_ROLES)('%s: forwards ops events that originated here to the other two regions\' buses, never replays', (role) => {
    const t = templateOf(role);
    const others = REGION_ROLES.filter((r) => r !== role).map(regionOf);
    t.resourceCountIs('AWS::Events::Rule', others.length);
    for (const region of others) {
      t.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: Match.stringLikeRegexp('^OpsBus') },
        EventPattern: { source: [{ prefix: 'platform.ops.' }], detail: { originRegion: [regionOf(role)] }, 'replay-name': [{ exists: false }] },
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${region}:${TEST_ACCOUNT}:event-bus/trading-${env}-ops`]] },
            RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwarderRole'), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ForwardingDeadLetters'), 'Arn'] } },
          }),
        ],
      });
    }
    t.hasResourceProperties('AWS::IAM::Role', {
      RoleName: `trading-${env}-${regionOf(role)}-ops-forwarder`,
      AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' } })] }),
    });
  });

  it('no forwarding loop: an event is forwarded only by the rules of the region it originated in', () => {
    const forwarders = platform.regions.flatMap(({ role }) =>
      Object.values(templateOf(role).findResources('AWS::Events::Rule')).map((rule) => ({ region: regionOf(role), pattern: rule.Properties.EventPattern })),
    );
    for (const origin of REGION_ROLES.map(regionOf)) {
      const event = { source: 'platform.ops.failover', detail: { originRegion: origin } };
      const matching = forwarders.filter((f) => f.pattern.detail.originRegion.includes(event.detail.originRegion));
      // Two rules (to the two other regions), both on the origin's bus; the copies they deliver match nothing there.
      expect(matching.map((f) => f.region)).toEqual([origin, origin]);
    }
  });

  it('uses no CloudFormation exports or imports', () => {
    for (const { messaging } of platform.regions) {
      const json = JSON.stringify(platform.template(messaging).toJSON());
      expect(json).not.toContain('Fn::ImportValue');
      expect(json).not.toContain('"Export"');
    }
  });
});

describe('first deployment of an environment (-c msk-bootstrap=true)', () => {
  const app = testApp();
  app.node.setContext(MSK_BOOTSTRAP_CONTEXT, 'true');
  const platform = buildPlatform(app, loadConfig('dev'), resolveAccount(TEST_ACCOUNT, undefined));
  const messagingOf = (role: RegionRole) => platform.regions.find((r) => r.role === role)!.messaging;

  it('creates the clusters without multi-VPC connectivity (AWS refuses it at creation) and no Replicator yet', () => {
    for (const role of ['primary', 'secondary'] as const) {
      const t = Template.fromStack(messagingOf(role));
      t.hasResourceProperties('AWS::MSK::Cluster', {
        BrokerNodeGroupInfo: Match.objectLike({ ConnectivityInfo: { VpcConnectivity: { ClientAuthentication: { Sasl: { Iam: { Enabled: false } } } } } }),
      });
      t.resourceCountIs('AWS::MSK::Replicator', 0);
      t.resourceCountIs('AWS::MSK::Topic', TOPIC_NAMES.length);
      Annotations.fromStack(messagingOf(role)).hasWarning('*', Match.stringLikeRegexp('Deploy again without -c msk-bootstrap=true'));
    }
  });

  it('refuses a value that is not true or false', () => {
    const bad = testApp();
    bad.node.setContext(MSK_BOOTSTRAP_CONTEXT, 'yes');
    expect(() => buildPlatform(bad, loadConfig('dev'), resolveAccount(TEST_ACCOUNT, undefined))).toThrow('-c msk-bootstrap=yes: expected true or false');
  });
});

describe('importKafkaCluster and grantKafka', () => {
  const app = testApp();
  const config = loadConfig('prod');
  const consumerIn = (role: RegionRole) =>
    new PlatformStack(app, `Consumer-${role}`, { config, target: resolveAccount(TEST_ACCOUNT, undefined), role, description: 'test consumer' });

  it('gives a producer and a consumer only their topics and groups', () => {
    const stack = consumerIn('primary');
    const cluster = importKafkaCluster(stack);
    const role = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    grantKafka(role, { clusterArn: cluster.clusterArn, produce: ['notifications.outbound'], consume: [{ topics: ['trading.trades', 'trading.positions'], groupId: 'notifications' }] });
    const t = Template.fromStack(stack);
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const parameterOf = (key: string) =>
      Object.entries<any>(t.toJSON().Parameters).find(([, p]) => p.Default === `/trading/prod/messaging/kafka/${key}`)?.[0];
    // All three come from the messaging stack's SSM parameters.
    for (const key of ['cluster-arn', 'bootstrap-brokers', 'client-security-group-id']) expect(parameterOf(key)).toBeDefined();
    const clusterRef = { Ref: parameterOf('cluster-arn') };
    const part = (i: number) => ({ 'Fn::Select': [i, { 'Fn::Split': [':cluster/', clusterRef] }] });
    const arnOf = (kind: string, name: string) => ({ 'Fn::Join': ['', [part(0), `:${kind}/`, part(1), `/${name}`]] });
    const resourcesOf = (...actions: string[]) => {
      const statement = statements.find((s: any) => JSON.stringify([s.Action].flat().sort()) === JSON.stringify([...actions].sort()));
      expect(statement).toBeDefined();
      return [statement.Resource].flat();
    };

    expect(resourcesOf('kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration', 'kafka-cluster:WriteDataIdempotently')).toEqual([clusterRef]);
    expect(resourcesOf('kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData')).toEqual([arnOf('topic', 'notifications.outbound')]);
    const read = resourcesOf('kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData');
    expect(read).toHaveLength(2);
    expect(read).toEqual(expect.arrayContaining([arnOf('topic', 'trading.trades'), arnOf('topic', 'trading.positions')]));
    expect(resourcesOf('kafka-cluster:AlterGroup', 'kafka-cluster:DescribeGroup')).toEqual([arnOf('group', 'notifications')]);
    expect(statements).toHaveLength(4);
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });

  it('refuses a grant of nothing', () => {
    const stack = consumerIn('secondary');
    const role = new iam.Role(stack, 'Idle', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => grantKafka(role, { clusterArn: importKafkaCluster(stack).clusterArn })).toThrow('at least one topic');
  });

  it('refuses to import a cluster in a region that runs none', () => {
    expect(() => importKafkaCluster(consumerIn('tertiary'))).toThrow('the tertiary region runs no MSK cluster');
  });
});
