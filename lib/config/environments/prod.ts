/** prod: the blueprint's sizes (API 2 vCPU / 4 GB, engine 4 / 8, WebSocket 2 / 4; base node 8 / 32). */
import { TYPICAL_STEP_DURATIONS_SECONDS } from '../runbooks';
import type { EnvironmentFile } from '../schema';
import { defaultRegions } from './regions';
import { TRADED_SYMBOLS } from './symbols';

export const prod: EnvironmentFile = {
  app: 'trading',
  environment: 'prod',
  costCentre: 'trading-platform-prod',
  regions: defaultRegions(30),
  network: { natGateways: 'perAz', flowLogRetentionDays: 365, interfaceEndpoints: true },
  compute: {
    baseNode: { vcpu: 8, memoryGiB: 32 },
    minTasksPerService: 3,
    services: {
      api: { vcpu: 2, memoryGiB: 4 },
      tradingEngine: { vcpu: 4, memoryGiB: 8 },
      websocket: { vcpu: 2, memoryGiB: 4 },
    },
  },
  budget: { monthlyUsd: 10000, alertThresholdsPercent: [80, 100], alertEmails: [] },
  logs: { retentionDays: 365 },
  api: {
    stageThrottle: { rateLimit: 10000, burstLimit: 5000 },
    usagePlans: [
      { name: 'free', throttle: { rateLimit: 20, burstLimit: 40 }, dailyQuota: 50000 },
      { name: 'pro', throttle: { rateLimit: 200, burstLimit: 400 }, dailyQuota: null },
      { name: 'institutional', throttle: { rateLimit: 2000, burstLimit: 4000 }, dailyQuota: null },
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
    // Paging and chat endpoints are added per deployment (no personal addresses in git); see docs/operations.md.
    subscriptions: { critical: { emails: [], httpsEndpoints: [] }, warning: { emails: [], httpsEndpoints: [] }, info: { emails: [], httpsEndpoints: [] } },
    // The blueprint's figures: 5% errors or p95 > 1 s page; 1% errors, CPU 80% for 10 min, memory 85%, storage 90% notify.
    thresholds: {
      errorRatePercent: { critical: 5, warning: 1 },
      apiP95CriticalMs: 1000,
      latencyObjectivesMs: { p50: 100, p95: 300, p99: 500 },
      cpu: { percent: 80, minutes: 10 },
      memoryPercent: 85,
      storagePercent: 90,
      rpoLagWarningSeconds: 60,
      deadLetterMessages: 1,
    },
    canary: { scheduleMinutes: 1, failedRunsToAlarm: 2, evaluationRuns: 3, uptimeObjectivePercent: 99.9, artifactRetentionDays: 30, timeoutSeconds: 30 },
  },
  tradingEngine: {
    image: { source: 'asset' },
    capacity: { primary: { minTasks: 3, maxTasks: 20 }, secondary: { minTasks: 2, maxTasks: 20 } },
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
      brokerInstanceType: 'kafka.m7g.xlarge',
      brokers: 3,
      storage: { initialGiB: 1000, maxGiB: 4000 },
      replicationFactor: 3,
      minInsyncReplicas: 2,
      enhancedMonitoring: 'PER_TOPIC_PER_PARTITION',
      topics: {
        'trading.signals': { partitions: 128, retentionHours: 168 },
        'trading.orders': { partitions: 128, retentionHours: 168 },
        'trading.trades': { partitions: 128, retentionHours: 168 },
        'trading.positions': { partitions: 128, retentionHours: 168 },
        'market.data': { partitions: 12, retentionHours: 24 },
        'notifications.outbound': { partitions: 64, retentionHours: 72 },
        'trading.deadletter': { partitions: 6, retentionHours: 336 },
      },
    },
    opsBus: { archiveRetentionDays: 365 },
  },
  data: {
    deletionProtection: true,
    aurora: {
      engineVersion: '16.8',
      instanceClass: 'db.r6g.2xlarge',
      databaseName: 'trading',
      databaseUsers: ['app'],
      shards: 1,
      // The blueprint: writer + 2 readers in the primary, 2 readers in the secondary, 1 in the tertiary.
      instances: {
        primary: { readers: 2, maxReaders: 6 },
        secondary: { readers: 2, maxReaders: 6 },
        tertiary: { readers: 1, maxReaders: 4 },
      },
      // db.r6g.2xlarge: max_connections 5,000; the proxy takes 75%, 80% of that is the target.
      readerScaling: { targetConnections: 3000, targetCpuPercent: 70, scaleOutCooldownSeconds: 300, scaleInCooldownSeconds: 900 },
      writeForwarding: ['tertiary'],
      // The blueprint's RPO: 5 minutes.
      globalDbRpoSeconds: 300,
      backupRetentionDays: 30,
      performanceInsightsRetentionDays: 31,
      monitoringIntervalSeconds: 15,
      // 25% of each writer's connections stay free for writes forwarded from the tertiary.
      proxy: { maxConnectionsPercent: 75, idleClientTimeoutSeconds: 1800 },
    },
    cache: {
      engine: 'valkey',
      engineVersion: '8.0',
      nodeType: 'cache.r7g.large',
      // The blueprint: 3 shards x 1 replica (6 nodes) per region.
      shards: 3,
      replicasPerShard: { primary: 1, secondary: 1, tertiary: 1 },
      globalDatastore: 'primaryAndSecondary',
      snapshotRetentionDays: 7,
      snapshotWindow: '03:00-04:00',
    },
    backup: { dailyAtUtcHour: 5, retentionDays: 30, vaultLock: 'compliance' },
  },
  runbooks: {
    // Beats the blueprint's 5-minute RPO: a failover may lose at most a minute of replication lag.
    rpoBudgetSeconds: 60,
    alarmSustainMinutes: 3,
    coolDownMinutes: 60,
    lockLeaseMinutes: 120,
    approval: { unplannedDataLoss: 'always', planned: false, timeoutMinutes: 60 },
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
      eventSource: { startingPosition: 'LATEST', batchSize: 100, maxBatchingWindowSeconds: 1, retryAttempts: 3, pollers: { minimum: 2, maximum: 20 } },
      memoryMiB: 512,
      timeoutSeconds: 60,
      deliveryAttempts: 3,
      idempotencyTtlHours: 24,
      // A verified SES identity of the deployment (the domain or this address).
      emailFrom: 'notifications@trading.example.com',
      preferencesTtlSeconds: 60,
    },
    reporting: {
      eventSource: { startingPosition: 'TRIM_HORIZON', batchSize: 1000, maxBatchingWindowSeconds: 5, retryAttempts: 5, pollers: { minimum: 2, maximum: 20 } },
      memoryMiB: 1024,
      timeoutSeconds: 120,
      // The retention: 90 days of detail, two years of rollups; reports archived after 90 days, kept 7 years.
      detailRetentionDays: 90,
      rollupRetentionDays: 730,
      partitionsAheadDays: 7,
      reports: { archiveAfterDays: 90, expireAfterDays: 2557 },
      schedules: { rollup: 'cron(5 * * * ? *)', retention: 'cron(30 3 * * ? *)', export: 'cron(0 4 * * ? *)' },
      exportConcurrency: 8,
      writeAttempts: 3,
    },
    deadLetterRetentionDays: 14,
  },
};
