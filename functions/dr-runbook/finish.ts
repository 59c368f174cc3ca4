/**
 * The end of every execution. `finish`: the report in S3 (each step's start, end and details, the
 * decision's inputs, the measured RTO and data-loss window), the audit summary, the lock released into its
 * cool-down, the completion event and a page. `paused`: the Catch of any failed step: the same evidence,
 * a FailoverAborted event and a critical page, and the lock KEPT, so nothing automatic touches a
 * half-moved platform until a human decides (docs/runbooks/README.md).
 */
import { emit, page, recordSummary, reportKey, stepRecords, writeReport, type RunOutcome } from './evidence';
import { releaseLock } from './lock';
import type { Deps, RunState } from './types';
import type { StepOutcome } from './steps';

/** The blueprint's targets the report and the drill compare against. */
export const BLUEPRINT = { rtoSeconds: 15 * 60, rpoSeconds: 5 * 60, regionFailoverSeconds: 7 * 60, databaseFailoverSeconds: 5 * 60 } as const;

function measured(state: RunState, deps: Deps) {
  const { run } = state;
  const rtoMs = Math.max(0, deps.now().getTime() - Date.parse(run.requestedAt));
  const assess = state.results?.assess;
  // A switchover loses nothing; a failover loses at most the lag measured just before it.
  const lag = assess?.details.worstLagSeconds;
  const dataLossWindowMs = assess?.method === 'switchover' || assess?.details.alreadyPromoted === true ? 0 : typeof lag === 'number' ? Math.round(lag * 1000) : undefined;
  return { rtoMs, dataLossWindowMs };
}

async function report(state: RunState, outcome: RunOutcome, extra: Record<string, unknown>, deps: Deps): Promise<string> {
  const { run } = state;
  const { rtoMs, dataLossWindowMs } = measured(state, deps);
  const steps = (await stepRecords(run.runId, deps)).map((r) => ({ step: r.step, status: r.status, startedAt: r.startedAt, durationMs: r.durationMs, details: r.details }));
  return writeReport(
    run,
    {
      run,
      outcome,
      dryRun: run.dryRun,
      note: run.dryRun ? 'dry run: every check ran, nothing was changed; "would…" details say what a real run would have done' : undefined,
      decision: state.results?.assess?.details,
      approval: state.results?.approval,
      steps,
      measured: { rtoSeconds: rtoMs / 1000, dataLossWindowSeconds: dataLossWindowMs === undefined ? null : dataLossWindowMs / 1000 },
      targets: { ...BLUEPRINT, rpoBudgetSeconds: deps.settings.rpoBudgetSeconds },
      finishedAt: deps.now().toISOString(),
      ...extra,
    },
    deps,
  );
}

export async function finishStep(state: RunState, deps: Deps, outcome: RunOutcome = 'succeeded'): Promise<StepOutcome> {
  const { run } = state;
  const { rtoMs, dataLossWindowMs } = measured(state, deps);
  const key = await report(state, outcome, {}, deps);
  await recordSummary(run, outcome, { report: key, rtoMs, dataLossWindowMs: dataLossWindowMs ?? null }, deps);
  const released = await releaseLock(run, deps);
  if (run.operation === 'drill') {
    const findings = Object.values(state.results ?? {}).flatMap((r) => (r && typeof r.details.findings === 'string' && r.details.findings ? [r.details.findings] : []));
    await emit(
      'DrillCompleted',
      {
        originRegion: deps.settings.region,
        runId: run.runId,
        scenario: run.runbook,
        outcome: outcome === 'succeeded' ? 'passed' : 'failed',
        rtoMs,
        targetRtoMs: BLUEPRINT.rtoSeconds * 1000,
        rpoMs: dataLossWindowMs,
        targetRpoMs: deps.settings.rpoBudgetSeconds * 1000,
        findings,
      },
      deps,
    );
  } else if (outcome === 'succeeded' && run.runbook !== 'restore') {
    await emit(
      'FailoverCompleted',
      {
        originRegion: deps.settings.region,
        runId: run.runId,
        operation: run.operation === 'failback' ? 'failback' : 'failover',
        mode: run.mode,
        fromRegion: run.sourceRegion,
        toRegion: run.targetRegion,
        dryRun: run.dryRun,
        durationMs: rtoMs,
        dataLossWindowMs,
      },
      deps,
    );
  }
  const verb = run.dryRun ? 'dry run finished' : 'finished';
  await page(
    outcome === 'succeeded' ? 'info' : 'warning',
    `${run.runbook} ${verb}: ${outcome}`,
    `${run.runbook} ${run.runId} (${run.sourceRegion} -> ${run.targetRegion}, ${run.mode}${run.dryRun ? ', dry run' : ''}) ${verb}: ${outcome} in ${Math.round(rtoMs / 1000)}s. Report: s3://${deps.settings.names.reportBucket}/${key}`,
    deps,
  );
  return { status: 'succeeded', done: true, details: { outcome, report: key, rtoMs, lockReleased: released } };
}

/** Which step failed, from the Lambda error the Catch caught (`<step>: <message>`). */
export function failedStepOf(failure: RunState['failure']): { step?: string; message: string } {
  let message = failure?.Cause ?? failure?.Error ?? 'unknown failure';
  try {
    const cause = JSON.parse(message) as { errorMessage?: string };
    if (cause.errorMessage) message = cause.errorMessage;
  } catch {
    // Not JSON: a States.* error's cause is plain text.
  }
  const step = /^([a-zA-Z]+): /.exec(message)?.[1];
  return { step, message };
}

export async function pausedStep(state: RunState, deps: Deps): Promise<StepOutcome> {
  const { run } = state;
  const { step, message } = failedStepOf(state.failure);
  const key = await report(state, 'failed', { failure: { step: step ?? null, error: state.failure?.Error ?? null, message } }, deps);
  await recordSummary(run, 'failed', { report: key, failedStep: step ?? null, error: message }, deps);
  await emit(
    'FailoverAborted',
    {
      originRegion: deps.settings.region,
      runId: run.runId,
      operation: run.operation,
      fromRegion: run.sourceRegion,
      toRegion: run.targetRegion,
      dryRun: run.dryRun,
      failedStep: step,
      reason: message.slice(0, 1000) || 'failed',
    },
    deps,
  );
  await page(
    'critical',
    `${run.runbook} PAUSED at ${step ?? 'a step'}`,
    [
      `${run.runbook} ${run.runId} (${run.sourceRegion} -> ${run.targetRegion}${run.dryRun ? ', dry run' : ''}) stopped at ${step ?? 'an unknown step'}: ${message}`,
      'The platform is as the last completed step left it; the lock stays held so no automatic run touches it.',
      `Report: s3://${deps.settings.names.reportBucket}/${reportKey(run)}. Resume or roll back: docs/runbooks/README.md.`,
    ].join('\n'),
    deps,
  );
  return { status: 'failed', done: true, details: { failedStep: step ?? null, report: key } };
}

/** The Catch of a failed prepare: no run context exists, so only a page (the trigger is in the execution history). */
export async function pageUnstarted(state: RunState | undefined, deps: Deps): Promise<void> {
  const { message } = failedStepOf(state?.failure);
  await page('critical', 'Runbook refused its trigger', `A runbook execution in ${deps.settings.region} could not start: ${message}`, deps);
}
