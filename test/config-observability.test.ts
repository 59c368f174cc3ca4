/** Validation of the observability section (lib/config/observability.ts): each rule names the field it refuses. */
import { rejectionOfProd } from './helpers/config';

const messageOf = rejectionOfProd;

describe('observability config', () => {
  it('refuses a warning error rate at or above the critical one', () => {
    expect(messageOf((c) => (c.observability.thresholds.errorRatePercent.warning = 5))).toContain('observability.thresholds.errorRatePercent.warning');
  });

  it('refuses latency objectives that do not grow from p50 to p99', () => {
    expect(messageOf((c) => (c.observability.thresholds.latencyObjectivesMs.p95 = 50))).toContain('observability.thresholds.latencyObjectivesMs');
  });

  it('refuses a p95 page at or below the p95 objective', () => {
    expect(messageOf((c) => (c.observability.thresholds.apiP95CriticalMs = 300))).toContain('observability.thresholds.apiP95CriticalMs');
  });

  it('refuses a canary alarm on more failed runs than it evaluates, and a run longer than its schedule', () => {
    expect(messageOf((c) => (c.observability.canary.failedRunsToAlarm = 4))).toContain('observability.canary.failedRunsToAlarm');
    expect(messageOf((c) => (c.observability.canary.timeoutSeconds = 61))).toContain('observability.canary.timeoutSeconds');
  });

  it('refuses a paging endpoint that is not HTTPS, naming it', () => {
    expect(messageOf((c) => (c.observability.subscriptions.critical.httpsEndpoints = ['http://pager.example.com/hook']))).toMatch(
      /observability\.subscriptions\.critical\.httpsEndpoints\.0.*https/,
    );
  });
});
