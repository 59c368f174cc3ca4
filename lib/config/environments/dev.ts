/** dev: the whole platform at the smallest sizes AWS and the blueprint allow. */
import { TYPICAL_STEP_DURATIONS_SECONDS } from '../runbooks';
import type { EnvironmentFile } from '../schema';
import { defaultRegions } from './regions';
import { TRADED_SYMBOLS } from './symbols';

export const dev: EnvironmentFile = {
  app: 'trading',
  environment: 'dev',
  costCentre: 'trading-platform-dev',
  regions: defaultRegions(10),
  network: { natGateways: 'one', flowLogRetentionDays: 14, interfaceEndpoints: false },
  compute: {
    baseNode: { vcpu: 2, memoryGiB: 8 },
    minTasksPerService: 3,
    services: {
      api: { vcpu: 0.5, memoryGiB: 1 },
      tradingEngine: { vcpu: 1, memoryGiB: 2 },
      websocket: { vcpu: 0.5, memoryGiB: 1 },
    },
  },
  budget: { monthlyUsd: 500, alertThresholdsPercent: [80, 100], alertEmails: [] },
  logs: { retentionDays: 14 },
  api: {
    stageThrottle: { rateLimit: 100, burstLimit: 200 },
    usagePlans: [{ name: 'standard', throttle: { rateLimit: 50, burstLimit: 100 }, dailyQuota: 100000 }],
    waf: { rateLimitPer5Minutes: 1000 },
    maxBodyBytes: 65536,
    // The blueprint's TTLs: positions 60 s, performance 300 s.
    cache: { positionsTtlSeconds: 60, performanceTtlSeconds: 300, l1TtlSeconds: 2, l1MaxEntries: 5000 },
    webSocket: { connectionTtlMinutes: 130 },
    tokenValidityMinutes: 60,
    customDomain: null,
  },
  observability: {
    subscriptions: { critical: { emails: [], httpsEndpoints: [] }, warning: { emails: [], httpsEndpoints: [] }, info: { emails: [], httpsEndpoints: [] } },
    // Dev is noisy by nature: looser thresholds, so an alarm there still means something.
    thresholds: {
      errorRatePercent: { critical: 10, warning: 2 },
      apiP95CriticalMs: 2000,
      latencyObjectivesMs: { p50: 100, p95: 300, p99: 500 },
      cpu: { percent: 90, minutes: 10 },
      memoryPercent: 90,
      storagePercent: 90,
      rpoLagWarningSeconds: 300,
      deadLetterMessages: 10,
    },
    canary: { scheduleMinutes: 5, failedRunsToAlarm: 2, evaluationRuns: 3, uptimeObjectivePercent: 99, artifactRetentionDays: 7, timeoutSeconds: 30 },
  },
  tradingEngine: {
    image: { source: 'asset' },
    capacity: { primary: { minTasks: 3, maxTasks: 6 }, secondary: { minTasks: 1, maxTasks: 6 } },
    scaling: {
      targetActiveUsersPerTask: 800,
      activeWindowMinutes: 5,
      scaleOutCooldownSeconds: 240,
      scaleInCooldownSeconds: 120,
      cpuTargetPercent: 70,
      memoryTargetPercent: 80,
    },
    paperBroker: { slippageBps: 5, latencyMs: 10, feeBps: 10, defaultOrderNotional: '1000' },
    symbols: TRADED_SYMBOLS,
    stopTimeoutSeconds: 30,
    killSwitchPollSeconds: 5,
  },
  messaging: {
    kafka: {
      version: '3.8.x',
      brokerInstanceType: 'kafka.m7g.large',
      brokers: 3,
      storage: { initialGiB: 20, maxGiB: 100 },
      replicationFactor: 3,
      minInsyncReplicas: 2,
      enhancedMonitoring: 'PER_BROKER',
      topics: {
        'trading.signals': { partitions: 6, retentionHours: 24 },
        'trading.orders': { partitions: 6, retentionHours: 24 },
        'trading.trades': { partitions: 6, retentionHours: 24 },
        'trading.positions': { partitions: 6, retentionHours: 24 },
        'market.data': { partitions: 3, retentionHours: 24 },
        'notifications.outbound': { partitions: 3, retentionHours: 24 },
        'trading.deadletter': { partitions: 3, retentionHours: 168 },
      },
    },
    opsBus: { archiveRetentionDays: 7 },
  },
  data: {
    // Dev is torn down at will: no deletion protection, no vault lock, no global datastore.
    deletionProtection: false,
    aurora: {
      engineVersion: '16.8',
      // Serverless v2 keeps a global database in three regions cheap while idle (0.5 ACU floor).
      instanceClass: 'db.serverless',
      serverlessCapacity: { minAcu: 0.5, maxAcu: 4 },
      databaseName: 'trading',
      databaseUsers: ['app'],
      shards: 1,
      instances: {
        primary: { readers: 1, maxReaders: 2 },
        secondary: { readers: 1, maxReaders: 2 },
        tertiary: { readers: 1, maxReaders: 2 },
      },
      // 4 ACUs (8 GiB): max_connections about 900; the proxy takes 90%, 80% of that is the target.
      readerScaling: { targetConnections: 650, targetCpuPercent: 70, scaleOutCooldownSeconds: 300, scaleInCooldownSeconds: 600 },
      writeForwarding: ['tertiary'],
      globalDbRpoSeconds: null,
      backupRetentionDays: 30,
      performanceInsightsRetentionDays: 7,
      monitoringIntervalSeconds: 0,
      proxy: { maxConnectionsPercent: 90, idleClientTimeoutSeconds: 1800 },
    },
    cache: {
      engine: 'valkey',
      engineVersion: '8.0',
      nodeType: 'cache.t4g.small',
      shards: 1,
      replicasPerShard: { primary: 1, secondary: 1, tertiary: 1 },
      globalDatastore: 'off',
      snapshotRetentionDays: 7,
      snapshotWindow: '03:00-04:00',
    },
    backup: { dailyAtUtcHour: 5, retentionDays: 30, vaultLock: 'off' },
  },
  runbooks: {
    // Beats the blueprint's 5-minute RPO: a failover may lose at most a minute of replication lag.
    rpoBudgetSeconds: 60,
    alarmSustainMinutes: 1,
    coolDownMinutes: 15,
    lockLeaseMinutes: 120,
    approval: { unplannedDataLoss: 'overBudget', planned: false, timeoutMinutes: 30 },
    traffic: { mode: 'route53' },
    pollSeconds: 10,
    stepTimeoutMinutes: 10,
    stepDurationsSeconds: TYPICAL_STEP_DURATIONS_SECONDS,
    gameDays: { enabled: false, schedule: 'cron(0 10 ? * TUE *)', timezone: 'UTC' },
  },
  workers: {
    // A new notifications group starts at LATEST: a push about a trade from hours ago is noise, and
    // replaying the retained topic would flood users. Reporting starts at TRIM_HORIZON: a brand-new group
    // reads everything the topics still hold, so reports are complete (its writes are idempotent). A group
    // with committed offsets (incl. offsets the MSK Replicator copied to the secondary) resumes from them.
    notifications: {
      eventSource: { startingPosition: 'LATEST', batchSize: 100, maxBatchingWindowSeconds: 1, retryAttempts: 2, pollers: { minimum: 1, maximum: 2 } },
      memoryMiB: 256,
      timeoutSeconds: 30,
      deliveryAttempts: 3,
      idempotencyTtlHours: 24,
      // A verified SES identity of the deployment (the domain or this address).
      emailFrom: 'notifications@trading.example.com',
      preferencesTtlSeconds: 60,
    },
    reporting: {
      eventSource: { startingPosition: 'TRIM_HORIZON', batchSize: 500, maxBatchingWindowSeconds: 5, retryAttempts: 2, pollers: { minimum: 1, maximum: 2 } },
      memoryMiB: 512,
      timeoutSeconds: 60,
      detailRetentionDays: 7,
      rollupRetentionDays: 30,
      partitionsAheadDays: 3,
      reports: { archiveAfterDays: 30, expireAfterDays: 90 },
      schedules: { rollup: 'cron(5 * * * ? *)', retention: 'cron(30 3 * * ? *)', export: 'cron(0 4 * * ? *)' },
      exportConcurrency: 2,
      writeAttempts: 3,
    },
    deadLetterRetentionDays: 4,
  },
};
