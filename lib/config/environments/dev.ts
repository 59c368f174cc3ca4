/** dev: the whole platform at the smallest sizes AWS and the blueprint allow. */
import type { EnvironmentFile } from '../schema';
import { defaultRegions } from './regions';

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
};
