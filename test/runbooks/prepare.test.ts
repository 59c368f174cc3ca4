/** What starts a run (functions/dr-runbook/prepare.ts): each trigger's run context, and refusals that name the field. */
import { prepareRun } from '../../functions/dr-runbook/prepare';
import { opsRequest, PRIMARY, prodSettings, SECONDARY } from './harness';

const settings = prodSettings();
const now = new Date('2026-12-05T09:00:00Z');

describe('prepare', () => {
  it('the primary region-health alarm and AWS Health issues start an automatic, unplanned, real run', () => {
    const alarm = prepareRun('regionEvacuation', 'a', { source: 'aws.cloudwatch', region: PRIMARY, detail: { alarmName: 'trading-prod-us-east-1-region-health' } }, settings, now);
    expect(alarm).toMatchObject({ trigger: 'alarm', automatic: true, mode: 'unplanned', dryRun: false, sourceRegion: PRIMARY, targetRegion: SECONDARY });
    const health = prepareRun('regionEvacuation', 'h', { source: 'aws.health', region: PRIMARY, detail: { service: 'RDS', eventTypeCode: 'AWS_RDS_OPERATIONAL_ISSUE' } }, settings, now);
    expect(health).toMatchObject({ trigger: 'health', automatic: true, reason: 'AWS Health: RDS AWS_RDS_OPERATIONAL_ISSUE' });
  });

  it('a game day is always a dry run, whatever its input says', () => {
    const run = prepareRun('regionEvacuation', 'g', { source: 'platform.ops.drill', 'detail-type': 'GameDay', detail: { dryRun: false } }, settings, now);
    expect(run).toMatchObject({ trigger: 'schedule', operation: 'drill', dryRun: true, automatic: false, requestedAt: now.toISOString() });
  });

  it('a human request is validated by the ops catalog, and names the bad field', () => {
    expect(prepareRun('regionEvacuation', 'r', opsRequest('FailoverRequested', { mode: 'planned', dryRun: false }), settings, now)).toMatchObject({ trigger: 'request', requestedBy: 'alice', automatic: false });
    expect(() => prepareRun('regionEvacuation', 'r', opsRequest('FailoverRequested', { mode: 'sideways', dryRun: false }), settings, now)).toThrow(/detail\.mode/);
    expect(() => prepareRun('regionEvacuation', 'r', opsRequest('FailoverRequested', { mode: 'planned' }), settings, now)).toThrow(/detail\.dryRun/);
  });

  it('a restore request is checked field by field', () => {
    expect(() => prepareRun('restore', 'x', { 'detail-type': 'RestoreRequested', detail: { shard: -1, dryRun: true, requestedBy: 'a', reason: 'b' } }, settings, now)).toThrow(/detail\.shard/);
  });
});
