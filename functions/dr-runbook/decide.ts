/**
 * Go / no-go before any switch: the health of both regions and the replication lag of Aurora, the cache's
 * global datastore and MSK Replicator, weighed together against the RPO budget. Pure: the inputs are
 * measured by the assess step and recorded with the decision.
 */
import type { AlarmState, Lags } from './observe';

export interface Assessment {
  readonly mode: 'planned' | 'unplanned';
  readonly sourceHealth: AlarmState;
  readonly targetHealth: AlarmState;
  /** Every shard's writer is already in the target region (an earlier run promoted it). */
  readonly alreadyPromoted: boolean;
  readonly lags: Lags;
  readonly rpoBudgetSeconds: number;
  readonly approvalPolicy: { readonly unplannedDataLoss: 'always' | 'overBudget'; readonly planned: boolean };
}

export interface Decision {
  readonly decision: 'proceed' | 'approve' | 'refuse';
  /** Aurora: switchover (no data loss) or failover allowing data loss. */
  readonly method: 'switchover' | 'failover';
  readonly worstLagSeconds: number | null;
  readonly withinBudget: boolean;
  readonly dataLossPossible: boolean;
  readonly needsApproval: boolean;
  readonly reasons: readonly string[];
}

const healthy = (s: AlarmState) => s === 'OK' || s === 'INSUFFICIENT_DATA' || s === 'missing';

export function decide(a: Assessment): Decision {
  const reasons: string[] = [];
  const measured = [a.lags.auroraSeconds, a.lags.cacheSeconds, a.lags.kafkaSeconds].filter((v) => v !== 'n/a');
  const unknown = measured.some((v) => v === null);
  const known = measured.filter((v): v is number => typeof v === 'number');
  const worstLagSeconds = unknown ? null : Math.max(0, ...known);
  const withinBudget = worstLagSeconds !== null && worstLagSeconds <= a.rpoBudgetSeconds;
  if (unknown) reasons.push('a replication lag could not be measured (counted as over budget)');
  else reasons.push(`worst replication lag ${worstLagSeconds}s against a budget of ${a.rpoBudgetSeconds}s`);

  const refuse = (why: string): Decision => ({
    decision: 'refuse',
    method: a.mode === 'planned' ? 'switchover' : 'failover',
    worstLagSeconds,
    withinBudget,
    dataLossPossible: false,
    needsApproval: false,
    reasons: [...reasons, why],
  });
  if (!healthy(a.targetHealth)) return refuse(`the target region is not healthy (region-health ${a.targetHealth})`);

  if (a.mode === 'planned') {
    if (!a.alreadyPromoted && !healthy(a.sourceHealth)) {
      return refuse(`a planned switchover needs a healthy writer region (region-health ${a.sourceHealth}); ask for an unplanned failover`);
    }
    const needsApproval = a.approvalPolicy.planned;
    if (needsApproval) reasons.push('config asks for approval of planned switchovers');
    return { decision: needsApproval ? 'approve' : 'proceed', method: 'switchover', worstLagSeconds, withinBudget, dataLossPossible: false, needsApproval, reasons };
  }

  const dataLossPossible = !a.alreadyPromoted && (worstLagSeconds === null || worstLagSeconds > 0);
  let needsApproval = false;
  if (!a.alreadyPromoted && !withinBudget) {
    needsApproval = true;
    reasons.push('the lag exceeds the RPO budget: a failover would lose more than the budget allows');
  } else if (dataLossPossible && a.approvalPolicy.unplannedDataLoss === 'always') {
    needsApproval = true;
    reasons.push('config asks for approval of every failover that may lose data');
  }
  if (a.alreadyPromoted) reasons.push('the target region already holds the writer');
  return { decision: needsApproval ? 'approve' : 'proceed', method: 'failover', worstLagSeconds, withinBudget, dataLossPossible, needsApproval, reasons };
}
