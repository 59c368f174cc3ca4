/** Validation of the runbooks section (lib/config/runbooks.ts): each rule names the field it refuses. */
import { loadConfig } from '../lib/config';
import { rejectionOfProd } from './helpers/config';

const messageOf = rejectionOfProd;

describe('runbooks config', () => {
  it('every environment: an RPO budget that beats the blueprint, game days off', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const { runbooks } = loadConfig(env);
      expect(runbooks.rpoBudgetSeconds).toBeLessThanOrEqual(300);
      expect(runbooks.gameDays.enabled).toBe(false);
      expect(runbooks.traffic.mode).toBe('route53');
    }
  });

  it('prod always asks a human before a failover that may lose data', () => {
    expect(messageOf((c) => (c.runbooks.approval.unplannedDataLoss = 'overBudget'))).toContain('runbooks.approval.unplannedDataLoss');
  });

  it('refuses ARC (not implemented), a zone without a record, a lease shorter than sustain + approval, a bad cron', () => {
    expect(messageOf((c) => (c.runbooks.traffic.mode = 'arc'))).toContain('runbooks.traffic.mode');
    expect(messageOf((c) => (c.runbooks.traffic.hostedZoneId = 'Z0123456789ABC'))).toContain('runbooks.traffic.recordName');
    expect(messageOf((c) => (c.runbooks.lockLeaseMinutes = 30))).toContain('runbooks.lockLeaseMinutes');
    expect(messageOf((c) => (c.runbooks.gameDays.schedule = 'every tuesday'))).toContain('runbooks.gameDays.schedule');
    expect(messageOf((c) => (c.runbooks.rpoBudgetSeconds = 0))).toContain('runbooks.rpoBudgetSeconds');
  });
});
