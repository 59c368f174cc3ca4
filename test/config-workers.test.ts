/** Validation of the workers section (lib/config/workers.ts): each rule names the field it refuses. */
import { loadConfig } from '../lib/config';
import { rejectionOfProd } from './helpers/config';

const messageOf = rejectionOfProd;

describe('workers config', () => {
  it('prod: notifications start at LATEST, reporting at TRIM_HORIZON, the issue retention, bounded retries', () => {
    const { workers } = loadConfig('prod');
    expect(workers.notifications.eventSource.startingPosition).toBe('LATEST');
    expect(workers.reporting.eventSource.startingPosition).toBe('TRIM_HORIZON');
    expect(workers.reporting).toMatchObject({ detailRetentionDays: 90, rollupRetentionDays: 730, reports: { archiveAfterDays: 90 } });
    for (const env of ['dev', 'staging', 'prod']) {
      const w = loadConfig(env).workers;
      for (const worker of [w.notifications, w.reporting]) expect(worker.eventSource.retryAttempts).toBeGreaterThanOrEqual(0);
      expect(w.reporting.schedules.rollup).toMatch(/^cron\(\d+ \* /);
    }
  });

  it('refuses infinite or out-of-range event source settings, naming the field', () => {
    expect(messageOf((c) => (c.workers.notifications.eventSource.retryAttempts = -1))).toContain('workers.notifications.eventSource.retryAttempts');
    expect(messageOf((c) => (c.workers.reporting.eventSource.batchSize = 10_001))).toContain('workers.reporting.eventSource.batchSize');
    expect(messageOf((c) => (c.workers.reporting.eventSource.maxBatchingWindowSeconds = 301))).toContain('workers.reporting.eventSource.maxBatchingWindowSeconds');
    expect(messageOf((c) => (c.workers.notifications.eventSource.startingPosition = 'AT_TIMESTAMP'))).toContain('workers.notifications.eventSource.startingPosition');
  });

  it('refuses more minimum pollers than maximum', () => {
    expect(messageOf((c) => (c.workers.reporting.eventSource.pollers = { minimum: 5, maximum: 2 }))).toContain('workers.reporting.eventSource.pollers.minimum');
  });

  it('refuses a sender that is not an e-mail address and a dead-letter retention SQS cannot keep', () => {
    expect(messageOf((c) => (c.workers.notifications.emailFrom = 'notifications'))).toContain('workers.notifications.emailFrom');
    expect(messageOf((c) => (c.workers.deadLetterRetentionDays = 15))).toContain('workers.deadLetterRetentionDays');
  });

  it('refuses rollups kept shorter than the detail, and reports expiring before they are archived', () => {
    expect(messageOf((c) => (c.workers.reporting.rollupRetentionDays = 60))).toMatch(/workers\.reporting\.rollupRetentionDays.*detailRetentionDays/);
    expect(messageOf((c) => (c.workers.reporting.reports.expireAfterDays = 90))).toContain('workers.reporting.reports.expireAfterDays');
  });

  it('refuses a rollup that is not hourly and retention or export jobs that are not daily', () => {
    expect(messageOf((c) => (c.workers.reporting.schedules.rollup = 'cron(0 4 * * ? *)'))).toContain('workers.reporting.schedules.rollup');
    expect(messageOf((c) => (c.workers.reporting.schedules.retention = 'cron(0 * * * ? *)'))).toContain('workers.reporting.schedules.retention');
    expect(messageOf((c) => (c.workers.reporting.schedules.export = 'cron(0 4 ? * MON *)'))).toContain('workers.reporting.schedules.export');
    expect(messageOf((c) => (c.workers.reporting.schedules.export = 'daily at four'))).toContain('workers.reporting.schedules.export');
  });

  it('prod keeps at least the issue retention (90 days of detail, 730 of rollups)', () => {
    expect(messageOf((c) => (c.workers.reporting.detailRetentionDays = 30))).toMatch(/workers\.reporting\.detailRetentionDays.*at least 90/);
    expect(messageOf((c) => (c.workers.reporting.rollupRetentionDays = 365))).toMatch(/workers\.reporting\.rollupRetentionDays.*at least 730/);
  });

  it('refuses unknown fields', () => {
    expect(messageOf((c) => (c.workers.notifications.retries = 3))).toMatch(/workers\.notifications: unknown field\(s\) retries/);
  });
});
