/** staging: prod's shape (NAT per AZ, endpoints) at half its sizes. */
import type { EnvironmentFile } from '../schema';
import { defaultRegions } from './regions';

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
};
