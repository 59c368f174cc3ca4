/** The go / no-go rule (functions/dr-runbook/decide.ts), case by case. */
import { decide, type Assessment } from '../../functions/dr-runbook/decide';

const base: Assessment = {
  mode: 'unplanned',
  sourceHealth: 'ALARM',
  targetHealth: 'OK',
  alreadyPromoted: false,
  lags: { auroraSeconds: 2, cacheSeconds: 1, kafkaSeconds: 3 },
  rpoBudgetSeconds: 60,
  approvalPolicy: { unplannedDataLoss: 'overBudget', planned: false },
};

describe('go / no-go', () => {
  it('unplanned within the budget proceeds with a failover; the worst lag of the three is weighed', () => {
    expect(decide(base)).toMatchObject({ decision: 'proceed', method: 'failover', worstLagSeconds: 3, withinBudget: true, dataLossPossible: true });
  });

  it('any lag above the budget (cache or Kafka too) needs a human', () => {
    expect(decide({ ...base, lags: { ...base.lags, kafkaSeconds: 61 } })).toMatchObject({ decision: 'approve', withinBudget: false });
    expect(decide({ ...base, lags: { ...base.lags, cacheSeconds: 90 } })).toMatchObject({ decision: 'approve' });
  });

  it('an unmeasurable lag counts as over budget', () => {
    expect(decide({ ...base, lags: { ...base.lags, auroraSeconds: null } })).toMatchObject({ decision: 'approve', worstLagSeconds: null, withinBudget: false });
  });

  it('prod policy: any possible data loss asks; none (lag 0, or already promoted) does not', () => {
    const always = { ...base, approvalPolicy: { unplannedDataLoss: 'always' as const, planned: false } };
    expect(decide(always)).toMatchObject({ decision: 'approve' });
    expect(decide({ ...always, lags: { auroraSeconds: 0, cacheSeconds: 0, kafkaSeconds: 'n/a' } })).toMatchObject({ decision: 'proceed', dataLossPossible: false });
    expect(decide({ ...always, alreadyPromoted: true, lags: { ...base.lags, auroraSeconds: 500 } })).toMatchObject({ decision: 'proceed' });
  });

  it('planned: switchover when the writer region is healthy, refused when it is not; an unhealthy target refuses everything', () => {
    expect(decide({ ...base, mode: 'planned', sourceHealth: 'OK' })).toMatchObject({ decision: 'proceed', method: 'switchover', dataLossPossible: false });
    expect(decide({ ...base, mode: 'planned', sourceHealth: 'unreachable' })).toMatchObject({ decision: 'refuse' });
    expect(decide({ ...base, mode: 'planned', sourceHealth: 'OK', approvalPolicy: { unplannedDataLoss: 'always', planned: true } })).toMatchObject({ decision: 'approve' });
    expect(decide({ ...base, targetHealth: 'ALARM' })).toMatchObject({ decision: 'refuse' });
  });
});
