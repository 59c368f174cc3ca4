/** staging: prod's shape (NAT per AZ, endpoints) at half its sizes. */
import { TYPICAL_STEP_DURATIONS_SECONDS } from '../runbooks';
import type { EnvironmentFile } from '../schema';
import { defaultRegions } from './regions';
import { TRADED_SYMBOLS } from './symbols';

export const staging: EnvironmentFile = {
  app: 'trading',
  environment: 'staging',
  costCentre: 'trading-platform-staging',
  regions: defaultRegions(20),
  network: { natGateways: 'perAz', flowLogRetentionDays: 30, interfaceEndpoints: true },
  compute: {
    baseNode: { vcpu: 4, memoryGiB: 16 },
    minTasksPerService: 3,
    services: {
      api: { vcpu: 1, memoryGiB: 2 },
      tradingEngine: { vcpu: 2, memoryGiB: 4 },
      websocket: { vcpu: 1, memoryGiB: 2 },
    },
  },
  budget: { monthlyUsd: 1500, alertThresholdsPercent: [80, 100], alertEmails: [] },
  logs: { retentionDays: 30 },
  api: {
    stageThrottle: { rateLimit: 1000, burstLimit: 2000 },
    usagePlans: [
      { name: 'free', throttle: { rateLimit: 20, burstLimit: 40 }, dailyQuota: 50000 },
      { name: 'pro', throttle: { rateLimit: 200, burstLimit: 400 }, dailyQuota: null },
    ],
    waf: { rateLimitPer5Minutes: 2000 },
    maxBodyBytes: 65536,
    // The blueprint's TTLs: positions 60 s, performance 300 s.
    cache: { positionsTtlSeconds: 60, performanceTtlSeconds: 300, l1TtlSeconds: 2, l1MaxEntries: 5000 },
    webSocket: { connectionTtlMinutes: 130 },
    tokenValidityMinutes: 60,
    customDomain: null,
  },
  observability: {
    subscriptions: { critical: { emails: [], httpsEndpoints: [] }, warning: { emails: [], httpsEndpoints: [] }, info: { emails: [], httpsEndpoints: [] } },
    thresholds: {
      errorRatePercent: { critical: 5, warning: 1 },
      apiP95CriticalMs: 1000,
      latencyObjectivesMs: { p50: 100, p95: 300, p99: 500 },
      cpu: { percent: 80, minutes: 10 },
      memoryPercent: 85,
      storagePercent: 90,
      rpoLagWarningSeconds: 120,
      deadLetterMessages: 1,
    },
    canary: { scheduleMinutes: 1, failedRunsToAlarm: 2, evaluationRuns: 3, uptimeObjectivePercent: 99.9, artifactRetentionDays: 14, timeoutSeconds: 30 },
  },
  tradingEngine: {
    image: { source: 'asset' },
    capacity: { primary: { minTasks: 3, maxTasks: 10 }, secondary: { minTasks: 2, maxTasks: 10 } },
    scaling: {
      targetActiveUsersPerTask: 800,
      activeWindowMinutes: 5,
      scaleOutCooldownSeconds: 240,
      scaleInCooldownSeconds: 120,
      cpuTargetPercent: 70,
      memoryTargetPercent: 80,
    },
    paperBroker: { slippageBps: 5, latencyMs: 25, feeBps: 10, defaultOrderNotional: '1000' },
    symbols: TRADED_SYMBOLS,
    stopTimeoutSeconds: 60,
    killSwitchPollSeconds: 5,
  },
  messaging: {
    kafka: {
      version: '3.8.x',
      brokerInstanceType: 'kafka.m7g.large',
      brokers: 3,
      storage: { initialGiB: 100, maxGiB: 500 },
      replicationFactor: 3,
      minInsyncReplicas: 2,
      enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      topics: {
        'trading.signals': { partitions: 32, retentionHours: 72 },
        'trading.orders': { partitions: 32, retentionHours: 72 },
        'trading.trades': { partitions: 32, retentionHours: 72 },
        'trading.positions': { partitions: 32, retentionHours: 72 },
        'market.data': { partitions: 6, retentionHours: 24 },
        'notifications.outbound': { partitions: 12, retentionHours: 72 },
        'trading.deadletter': { partitions: 3, retentionHours: 336 },
      },
    },
    opsBus: { archiveRetentionDays: 30 },
  },
  data: {
    deletionProtection: true,
    aurora: {
      engineVersion: '16.8',
      instanceClass: 'db.r6g.large',
      databaseName: 'trading',
      databaseUsers: ['app'],
      shards: 1,
      instances: {
        primary: { readers: 1, maxReaders: 3 },
        secondary: { readers: 1, maxReaders: 3 },
        tertiary: { readers: 1, maxReaders: 2 },
      },
      // db.r6g.large: max_connections about 1,800; the proxy takes 75%, 80% of that is the target.
      readerScaling: { targetConnections: 1080, targetCpuPercent: 70, scaleOutCooldownSeconds: 300, scaleInCooldownSeconds: 600 },
      writeForwarding: ['tertiary'],
      globalDbRpoSeconds: 300,
      backupRetentionDays: 30,
      performanceInsightsRetentionDays: 7,
      monitoringIntervalSeconds: 60,
      // 25% of each writer's connections stay free for writes forwarded from the tertiary.
      proxy: { maxConnectionsPercent: 75, idleClientTimeoutSeconds: 1800 },
    },
    cache: {
      engine: 'valkey',
      engineVersion: '8.0',
      nodeType: 'cache.r7g.large',
      shards: 2,
      replicasPerShard: { primary: 1, secondary: 1, tertiary: 1 },
      globalDatastore: 'primaryAndSecondary',
      snapshotRetentionDays: 7,
      snapshotWindow: '03:00-04:00',
    },
    backup: { dailyAtUtcHour: 5, retentionDays: 30, vaultLock: 'governance' },
  },
  runbooks: {
    // Beats the blueprint's 5-minute RPO: a failover may lose at most a minute of replication lag.
    rpoBudgetSeconds: 60,
    alarmSustainMinutes: 3,
    coolDownMinutes: 60,
    lockLeaseMinutes: 120,
    approval: { unplannedDataLoss: 'overBudget', planned: false, timeoutMinutes: 60 },
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
      eventSource: { startingPosition: 'LATEST', batchSize: 100, maxBatchingWindowSeconds: 1, retryAttempts: 3, pollers: { minimum: 1, maximum: 5 } },
      memoryMiB: 512,
      timeoutSeconds: 60,
      deliveryAttempts: 3,
      idempotencyTtlHours: 24,
      // A verified SES identity of the deployment (the domain or this address).
      emailFrom: 'notifications@trading.example.com',
      preferencesTtlSeconds: 60,
    },
    reporting: {
      eventSource: { startingPosition: 'TRIM_HORIZON', batchSize: 500, maxBatchingWindowSeconds: 5, retryAttempts: 3, pollers: { minimum: 1, maximum: 5 } },
      memoryMiB: 1024,
      timeoutSeconds: 120,
      detailRetentionDays: 30,
      rollupRetentionDays: 180,
      partitionsAheadDays: 7,
      reports: { archiveAfterDays: 30, expireAfterDays: 365 },
      schedules: { rollup: 'cron(5 * * * ? *)', retention: 'cron(30 3 * * ? *)', export: 'cron(0 4 * * ? *)' },
      exportConcurrency: 4,
      writeAttempts: 3,
    },
    deadLetterRetentionDays: 14,
  },
};
