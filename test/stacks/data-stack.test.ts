import { Match, type Template } from 'aws-cdk-lib/assertions';
import { REGION_ROLES, type RegionRole } from '../../lib/config';
import { ALL_ENVIRONMENTS, platformOf } from '../helpers/platform';

const ROLE_REGION: Record<RegionRole, string> = { primary: 'us-east-1', secondary: 'us-west-2', tertiary: 'eu-west-1' };
/** The region's data key, read from SSM (CDK matcher, and the same for plain jest expectations). */
const KEY_PARAM = { Ref: Match.stringLikeRegexp('^SsmParameterValue.*keysdatakeyarn') };
const KEY_REF = { Ref: expect.stringMatching(/^SsmParameterValue.*keysdatakeyarn/) };

function resources(t: Template, type: string, props: object = {}): any[] {
  return Object.values(t.findResources(type, { Properties: Match.objectLike(props) }));
}

describe.each(ALL_ENVIRONMENTS)('data stacks in %s', (env) => {
  const platform = platformOf(env);
  const { config } = platform;
  const { aurora, cache } = config.data;
  const data = (role: RegionRole) => platform.regions.find((r) => r.role === role)!.data;
  const template = (role: RegionRole) => platform.template(data(role));
  const protectedData = env !== 'dev';
  const removal = protectedData ? 'Retain' : 'Delete';

  it('exist once per region, stateful, after the network and keys of their region; secondaries after the primary', () => {
    for (const role of REGION_ROLES) {
      const stack = data(role);
      expect(stack.stackName).toBe(`trading-${env}-${ROLE_REGION[role]}-data`);
      expect(stack.region).toBe(ROLE_REGION[role]);
      expect(stack.terminationProtection).toBe(true);
      const deps = stack.dependencies.map((d) => d.stackName);
      expect(deps).toEqual(expect.arrayContaining([`trading-${env}-${ROLE_REGION[role]}-network`, `trading-${env}-${ROLE_REGION[role]}-keys`]));
      if (role !== 'primary') expect(deps).toContain(`trading-${env}-us-east-1-data`);
    }
    // The primary names every region's key (global table and secret replicas).
    expect(data('primary').dependencies.map((d) => d.stackName)).toEqual(
      expect.arrayContaining(REGION_ROLES.map((role) => `trading-${env}-${ROLE_REGION[role]}-keys`)),
    );
  });

  describe('Aurora PostgreSQL global database', () => {
    it('has one global cluster per shard, in the primary only, made from the primary cluster', () => {
      const all = platform.regions.flatMap(({ data: stack }) => resources(platform.template(stack), 'AWS::RDS::GlobalCluster'));
      expect(all).toHaveLength(aurora.shards);
      const t = template('primary');
      t.resourceCountIs('AWS::RDS::GlobalCluster', aurora.shards);
      t.hasResource('AWS::RDS::GlobalCluster', {
        Properties: {
          GlobalClusterIdentifier: `trading-${env}-pg-0`,
          DeletionProtection: protectedData,
          SourceDBClusterIdentifier: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':cluster:'), { Ref: Match.stringLikeRegexp('^AuroraShard0Cluster') }])] },
        },
        DeletionPolicy: removal,
      });
    });

    it('runs the writer cluster in the primary: engine 16.x, master secret, database name, writer + readers', () => {
      const t = template('primary');
      t.resourceCountIs('AWS::RDS::DBCluster', aurora.shards);
      t.hasResourceProperties('AWS::RDS::DBCluster', {
        DBClusterIdentifier: `trading-${env}-us-east-1-pg-0`,
        Engine: 'aurora-postgresql',
        EngineVersion: Match.stringLikeRegexp('^16\\.'),
        DatabaseName: 'trading',
        // Both from the master secret (dynamic references, never in the template).
        MasterUsername: { 'Fn::Join': ['', Match.arrayWith(['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('^AuroraShard0MasterSecret') }])] },
        MasterUserPassword: { 'Fn::Join': ['', Match.arrayWith(['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('^AuroraShard0MasterSecret') }])] },
        GlobalClusterIdentifier: Match.absent(),
      });
      t.resourceCountIs('AWS::RDS::DBInstance', 1 + aurora.instances.primary.readers);
    });

    it.each(['secondary', 'tertiary'] as const)('joins a %s cluster to the global cluster: own key, source region, no credentials', (role) => {
      const t = template(role);
      t.resourceCountIs('AWS::RDS::DBCluster', aurora.shards);
      t.hasResourceProperties('AWS::RDS::DBCluster', {
        DBClusterIdentifier: `trading-${env}-${ROLE_REGION[role]}-pg-0`,
        GlobalClusterIdentifier: `trading-${env}-pg-0`,
        SourceRegion: 'us-east-1',
        Engine: 'aurora-postgresql',
        EngineVersion: aurora.engineVersion,
        StorageEncrypted: true,
        KmsKeyId: KEY_PARAM,
        MasterUsername: Match.absent(),
        MasterUserPassword: Match.absent(),
        DatabaseName: Match.absent(),
        EnableGlobalWriteForwarding: role === 'tertiary' ? true : Match.absent(),
      });
      t.resourceCountIs('AWS::RDS::DBInstance', aurora.instances[role].readers);
    });

    if (env === 'prod') {
      it('prod: writer + 2 readers in the primary, 2 in the secondary, 1 in the tertiary, all db.r6g.2xlarge', () => {
        expect(REGION_ROLES.map((role) => resources(template(role), 'AWS::RDS::DBInstance').length)).toEqual([3, 2, 1]);
        for (const role of REGION_ROLES) {
          for (const instance of resources(template(role), 'AWS::RDS::DBInstance')) expect(instance.Properties.DBInstanceClass).toBe('db.r6g.2xlarge');
        }
      });
    }

    if (env === 'dev') {
      it('dev: Serverless v2 instances within the configured ACUs', () => {
        for (const role of REGION_ROLES) {
          for (const instance of resources(template(role), 'AWS::RDS::DBInstance')) expect(instance.Properties.DBInstanceClass).toBe('db.serverless');
          template(role).hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 } });
        }
      });
    }

    it.each(REGION_ROLES)('%s: encrypted, IAM auth, 30-day backups, logs exported, Performance Insights, deletion protection per environment', (role) => {
      const t = template(role);
      t.hasResource('AWS::RDS::DBCluster', {
        Properties: Match.objectLike({
          StorageEncrypted: true,
          KmsKeyId: KEY_PARAM,
          EnableIAMDatabaseAuthentication: true,
          BackupRetentionPeriod: 30,
          EnableCloudwatchLogsExports: ['postgresql'],
          DeletionProtection: protectedData,
          Port: 5432,
        }),
        DeletionPolicy: removal,
      });
      for (const instance of resources(t, 'AWS::RDS::DBInstance')) {
        expect(instance.Properties).toMatchObject({ PubliclyAccessible: false, EnablePerformanceInsights: true });
        expect(instance.Properties.PerformanceInsightsKMSKeyId).toEqual(KEY_REF);
        expect(instance.Properties.PerformanceInsightsRetentionPeriod).toBe(aurora.performanceInsightsRetentionDays);
      }
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/rds/cluster/trading-${env}-${ROLE_REGION[role]}-pg-0/postgresql`,
        RetentionInDays: config.logs.retentionDays,
      });
    });

    it.each(REGION_ROLES)('%s: a cluster parameter group that forces TLS and caps the global RPO from config', (role) => {
      template(role).hasResourceProperties('AWS::RDS::DBClusterParameterGroup', {
        Family: 'aurora-postgresql16',
        Parameters: {
          'rds.force_ssl': '1',
          'rds.global_db_rpo': aurora.globalDbRpoSeconds === null ? Match.absent() : String(aurora.globalDbRpoSeconds),
        },
      });
    });

    it('rotates the master secret monthly and replicates it to the other regions under each region\'s key', () => {
      const t = template('primary');
      t.hasResource('AWS::SecretsManager::Secret', {
        Properties: Match.objectLike({
          Name: `trading-${env}-pg-0-master`,
          KmsKeyId: KEY_PARAM,
          ReplicaRegions: [
            { Region: 'us-west-2', KmsKeyId: `arn:aws:kms:us-west-2:111111111111:alias/trading-${env}-data` },
            { Region: 'eu-west-1', KmsKeyId: `arn:aws:kms:eu-west-1:111111111111:alias/trading-${env}-data` },
          ],
        }),
        DeletionPolicy: removal,
      });
      t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', KmsKeyArn: KEY_PARAM }),
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      });
    });

    it.each(REGION_ROLES)('%s: an RDS Proxy per shard with IAM authentication end to end and TLS, plus a read-only endpoint', (role) => {
      const t = template(role);
      t.resourceCountIs('AWS::RDS::DBProxy', aurora.shards);
      t.hasResourceProperties('AWS::RDS::DBProxy', {
        DBProxyName: `trading-${env}-pg-0`,
        EngineFamily: 'POSTGRESQL',
        DefaultAuthScheme: 'IAM_AUTH',
        RequireTLS: true,
        Auth: Match.absent(),
      });
      t.hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
        ConnectionPoolConfigurationInfo: { MaxConnectionsPercent: aurora.proxy.maxConnectionsPercent },
        DBClusterIdentifiers: [{ Ref: Match.stringLikeRegexp('^AuroraShard0Cluster') }],
      });
      t.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { DBProxyEndpointName: `trading-${env}-pg-0-ro`, TargetRole: 'READ_ONLY' });
      // The proxy signs in to PostgreSQL as the configured users only.
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: 'rds-db:connect',
              Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':dbuser:'), Match.stringLikeRegexp('/app$')])] },
            }),
          ],
        },
      });
    });

    it.each(REGION_ROLES)('%s: reader auto scaling on ReadReplicaCount, bounded by config, on connections and CPU', (role) => {
      const t = template(role);
      t.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', aurora.shards);
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ServiceNamespace: 'rds',
        ScalableDimension: 'rds:cluster:ReadReplicaCount',
        ResourceId: `cluster:trading-${env}-${ROLE_REGION[role]}-pg-0`,
        MinCapacity: aurora.instances[role].readers,
        MaxCapacity: aurora.instances[role].maxReaders,
        RoleARN: Match.absent(),
      });
      t.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2 * aurora.shards);
      const policy = (metric: string, target: number) =>
        t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: metric }, TargetValue: target }),
        });
      policy('RDSReaderAverageDatabaseConnections', aurora.readerScaling.targetConnections);
      policy('RDSReaderAverageCPUUtilization', aurora.readerScaling.targetCpuPercent);
    });
  });

  describe('ElastiCache', () => {
    const globalOn = cache.globalDatastore !== 'off';

    it(`primary: ${cache.engine} in cluster mode, ${cache.shards} shard(s) x ${cache.replicasPerShard.primary} replica, Multi-AZ, encrypted, AUTH, 7-day snapshots`, () => {
      template('primary').hasResource('AWS::ElastiCache::ReplicationGroup', {
        Properties: Match.objectLike({
          Engine: 'valkey',
          CacheNodeType: cache.nodeType,
          ClusterMode: 'enabled',
          NumNodeGroups: cache.shards,
          ReplicasPerNodeGroup: cache.replicasPerShard.primary,
          MultiAZEnabled: true,
          AutomaticFailoverEnabled: true,
          TransitEncryptionEnabled: true,
          AtRestEncryptionEnabled: true,
          KmsKeyId: KEY_PARAM,
          AuthToken: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('^CacheAuthToken') }, ':SecretString:::}}']] },
          SnapshotRetentionLimit: 7,
          CacheSubnetGroupName: { Ref: Match.stringLikeRegexp('^CacheSubnetGroup') },
        }),
        DeletionPolicy: removal,
      });
    });

    if (env === 'prod') {
      it('prod: 3 shards x 1 replica (6 nodes) per region', () => {
        for (const role of REGION_ROLES) {
          const [group] = resources(template(role), 'AWS::ElastiCache::ReplicationGroup');
          expect(group.Properties.ReplicasPerNodeGroup).toBe(1);
          if (role !== 'secondary') expect(group.Properties.NumNodeGroups).toBe(3);
        }
      });
    }

    it(`${globalOn ? 'has' : 'has no'} global datastore created from the primary's replication group`, () => {
      const count = platform.regions.reduce((n, { data: stack }) => n + resources(platform.template(stack), 'AWS::ElastiCache::GlobalReplicationGroup').length, 0);
      expect(count).toBe(globalOn ? 1 : 0);
      if (!globalOn) return;
      template('primary').hasResourceProperties('AWS::ElastiCache::GlobalReplicationGroup', {
        GlobalReplicationGroupIdSuffix: `trading-${env}-cache`,
        AutomaticFailoverEnabled: true,
        Members: [{ ReplicationGroupId: { Ref: Match.stringLikeRegexp('^CacheReplicationGroup') }, ReplicationGroupRegion: 'us-east-1', Role: 'PRIMARY' }],
      });
    });

    it(`secondary: ${globalOn ? 'a member of the global datastore (shape inherited)' : 'a regional cache'}`, () => {
      const [group] = resources(template('secondary'), 'AWS::ElastiCache::ReplicationGroup');
      if (globalOn) {
        expect(group.Properties).toMatchObject({ GlobalReplicationGroupId: `ldgnf-trading-${env}-cache`, ReplicasPerNodeGroup: cache.replicasPerShard.secondary, KmsKeyId: KEY_REF });
        for (const inherited of ['Engine', 'EngineVersion', 'CacheNodeType', 'NumNodeGroups', 'AtRestEncryptionEnabled', 'TransitEncryptionEnabled', 'AuthToken', 'CacheParameterGroupName']) {
          expect(group.Properties[inherited]).toBeUndefined();
        }
        // Members use the primary's token: its secret is replicated here, none is created.
        template('secondary').resourceCountIs('AWS::SecretsManager::Secret', 0);
        template('primary').hasResourceProperties('AWS::SecretsManager::Secret', {
          Name: `trading-${env}-cache-auth-us-east-1`,
          ReplicaRegions: [{ Region: 'us-west-2', KmsKeyId: `arn:aws:kms:us-west-2:111111111111:alias/trading-${env}-data` }],
        });
      } else {
        expect(group.Properties.NumNodeGroups).toBe(cache.shards);
        expect(group.Properties.AuthToken).toBeDefined();
        expect(group.Properties.GlobalReplicationGroupId).toBeUndefined();
        expect(group.Properties.TransitEncryptionEnabled).toBe(true);
      }
    });

    it('tertiary: a regional cache of the same shape with its own AUTH secret', () => {
      const t = template('tertiary');
      t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        GlobalReplicationGroupId: Match.absent(),
        CacheNodeType: cache.nodeType,
        NumNodeGroups: cache.shards,
        ReplicasPerNodeGroup: cache.replicasPerShard.tertiary,
        MultiAZEnabled: true,
        TransitEncryptionEnabled: true,
        AtRestEncryptionEnabled: true,
      });
      t.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `trading-${env}-cache-auth-eu-west-1`, ReplicaRegions: Match.absent() });
    });
  });

  describe('DynamoDB global tables', () => {
    const TABLES = { runbook: 'expiresAt', 'ws-connections': 'expiresAt', idempotency: 'expiration' };

    it('are created once, in the primary, with a replica in every region under that region\'s key', () => {
      for (const role of ['secondary', 'tertiary'] as const) template(role).resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
      const t = template('primary');
      t.resourceCountIs('AWS::DynamoDB::GlobalTable', 3);
      for (const [suffix, ttl] of Object.entries(TABLES)) {
        const [table] = resources(t, 'AWS::DynamoDB::GlobalTable', { TableName: `trading-${env}-${suffix}` });
        expect(table.DeletionPolicy).toBe(removal);
        expect(table.Properties).toMatchObject({
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          TimeToLiveSpecification: { AttributeName: ttl, Enabled: true },
        });
        const replicas = table.Properties.Replicas;
        expect(replicas.map((r: any) => r.Region).sort()).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
        for (const replica of replicas) {
          expect(replica).toMatchObject({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: protectedData });
          expect(replica.SSESpecification.KMSMasterKeyId).toEqual(
            replica.Region === 'us-east-1' ? KEY_REF : `arn:aws:kms:${replica.Region}:111111111111:alias/trading-${env}-data`,
          );
        }
      }
    });

    it('index WebSocket connections by user', () => {
      template('primary').hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `trading-${env}-ws-connections`,
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byUser', KeySchema: [{ AttributeName: 'userId', KeyType: 'HASH' }, { AttributeName: 'connectionId', KeyType: 'RANGE' }] })],
      });
    });
  });

  describe('AWS Backup', () => {
    const copyTo: Record<RegionRole, string> = { primary: 'us-west-2', secondary: 'us-east-1', tertiary: 'us-east-1' };
    const lock = config.data.backup.vaultLock;

    it.each(REGION_ROLES)(`%s: a vault under the region's key${lock === 'off' ? '' : `, locked (${lock})`}`, (role) => {
      template(role).hasResource('AWS::Backup::BackupVault', {
        Properties: {
          BackupVaultName: `trading-${env}-backup`,
          EncryptionKeyArn: KEY_PARAM,
          LockConfiguration: lock === 'off' ? Match.absent() : { MinRetentionDays: 30, ChangeableForDays: lock === 'compliance' ? 3 : Match.absent() },
        },
        DeletionPolicy: removal,
      });
    });

    it.each(REGION_ROLES)('%s: daily backups kept 30 days and copied to another region\'s vault', (role) => {
      template(role).hasResourceProperties('AWS::Backup::BackupPlan', {
        BackupPlan: {
          BackupPlanRule: [
            Match.objectLike({
              ScheduleExpression: `cron(0 ${config.data.backup.dailyAtUtcHour} * * ? *)`,
              Lifecycle: { DeleteAfterDays: 30 },
              CopyActions: [{ DestinationBackupVaultArn: `arn:aws:backup:${copyTo[role]}:111111111111:backup-vault:trading-${env}-backup`, Lifecycle: { DeleteAfterDays: 30 } }],
            }),
          ],
        },
      });
    });

    it.each(REGION_ROLES)('%s: covers the region\'s table replicas, and Aurora where it is written', (role) => {
      const [selection] = resources(template(role), 'AWS::Backup::BackupSelection');
      const arns = JSON.stringify(selection.Properties.BackupSelection.Resources);
      for (const suffix of ['runbook', 'ws-connections', 'idempotency']) expect(arns).toContain(`arn:aws:dynamodb:${ROLE_REGION[role]}:111111111111:table/trading-${env}-${suffix}`);
      expect(arns.includes(':cluster:')).toBe(role === 'primary');
    });
  });

  describe('network access', () => {
    it.each(REGION_ROLES)('%s: PostgreSQL and the cache admit only the client groups (and the proxies and rotation for the clusters)', (role) => {
      const t = template(role);
      const groups = t.findResources('AWS::EC2::SecurityGroup');
      const idOf = (prefix: string) => Object.keys(groups).find((id) => id.startsWith(prefix))!;
      const allowed: Record<string, string[]> = {
        [idOf('AuroraProxySecurityGroup')]: [idOf('DatabaseClients')],
        [idOf('AuroraClusterSecurityGroup')]: [idOf('DatabaseClients'), idOf('AuroraProxySecurityGroup'), ...(role === 'primary' ? [idOf('AuroraRotationSecurityGroup')] : [])],
        [idOf('CacheSecurityGroup')]: [idOf('CacheClients')],
      };
      const ingress = resources(t, 'AWS::EC2::SecurityGroupIngress').map((r) => r.Properties);
      for (const [group, sources] of Object.entries(allowed)) {
        const rules = ingress.filter((r) => r.GroupId['Fn::GetAtt'][0] === group);
        expect(rules.map((r) => r.SourceSecurityGroupId['Fn::GetAtt'][0]).sort()).toEqual([...sources].sort());
      }
      // No CIDR anywhere: nothing is reachable by address range.
      for (const g of Object.values(groups)) expect(g.Properties.SecurityGroupIngress).toBeUndefined();
      expect(ingress.every((r) => r.CidrIp === undefined && r.CidrIpv6 === undefined)).toBe(true);
      // Data stores sit in the isolated subnets.
      t.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
        SubnetIds: Match.arrayWith([{ 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: Match.stringLikeRegexp('subnetsisolated') }] }] }]),
      });
    });
  });

  it.each(REGION_ROLES)('%s: publishes the contract under /trading/<env>/data', (role) => {
    const t = template(role);
    const names = resources(t, 'AWS::SSM::Parameter').map((p) => p.Properties.Name);
    const expected = [
      'aurora/shard-map',
      ...['cluster-identifier', 'cluster-endpoint', 'reader-endpoint', 'proxy-arn', 'proxy-endpoint', 'proxy-read-only-endpoint', 'master-secret-name'].map((k) => `aurora/shards/0/${k}`),
      'security-groups/database-clients',
      'security-groups/cache-clients',
      'cache/configuration-endpoint',
      'cache/auth-secret-name',
      'tables/runbook/name',
      'tables/connections/name',
      'tables/idempotency/name',
    ];
    expect(names).toEqual(expect.arrayContaining(expected.map((k) => `/trading/${env}/data/${k}`)));
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: `/trading/${env}/data/tables/idempotency/name`, Value: `trading-${env}-idempotency` });
    t.hasResourceProperties('AWS::SSM::Parameter', {
      Name: `/trading/${env}/data/cache/auth-secret-name`,
      Value: `trading-${env}-cache-auth-${role === 'secondary' && cache.globalDatastore !== 'off' ? 'us-east-1' : ROLE_REGION[role]}`,
    });
  });

  it('publishes a shard map that names the key and every shard\'s endpoints', () => {
    const [map] = resources(template('primary'), 'AWS::SSM::Parameter', { Name: `/trading/${env}/data/aurora/shard-map` });
    const body = JSON.stringify(map.Properties.Value);
    for (const field of ['user_id % shardCount', 'shardCount', 'proxyEndpoint', 'proxyReadOnlyEndpoint', 'readerEndpoint', 'clusterEndpoint']) expect(body).toContain(field);
  });
});
