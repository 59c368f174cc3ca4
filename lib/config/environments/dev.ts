/** dev: the whole platform at the smallest sizes AWS and the blueprint allow. */
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
    database: { user: 'app', shards: 1 },
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
};
