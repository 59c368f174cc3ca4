/**
 * One entry for every runbook step: times it, records it (audit record, ops-bus event) and names its
 * errors for the state machine: `TransientError` (throttling, 5xx, network: retried a bounded number of
 * times) or `StepFailed` / `RunbookError` (not retried: the Catch pauses the runbook and pages). The
 * message starts with the step's name so the page says where it stopped.
 *
 * Two functions run this code with different permissions: `checks` (reads, bookkeeping, approval) and
 * `actions` (the mutating steps); each refuses the other's steps.
 */
import { emitStep, recordStep, type RunOutcome } from './evidence';
import { finishStep, pausedStep, pageUnstarted } from './finish';
import { prepareRun, type TriggerEvent } from './prepare';
import * as steps from './steps';
import type { StepOutcome } from './steps';
import { RunbookError, type Deps, type Runbook, type RunState, type StepResult } from './types';

export const CHECK_STEPS = ['prepare', 'acquireLock', 'confirmAlarm', 'assess', 'requestApproval', 'verify', 'finish', 'paused'] as const;
export const ACTION_STEPS = ['killSwitch', 'failoverDatabase', 'failoverCache', 'raiseCapacity', 'moveConsumers', 'moveTraffic', 'resumeTrading', 'restoreCluster', 'restoreInstance', 'repoint'] as const;
export type StepName = (typeof CHECK_STEPS)[number] | (typeof ACTION_STEPS)[number];
export type StepGroup = 'checks' | 'actions';

export interface StepInput {
  readonly step: StepName;
  readonly state?: RunState;
  /** prepare only: what started the execution, the runbook and the execution's name (the run id). */
  readonly event?: TriggerEvent;
  readonly runbook?: Runbook;
  readonly executionName?: string;
  /** requestApproval only. */
  readonly taskToken?: string;
  /** finish only. */
  readonly outcome?: RunOutcome;
}

type Body = (state: RunState, deps: Deps, input: StepInput) => Promise<StepOutcome>;

const BODIES: Record<Exclude<StepName, 'prepare'>, Body> = {
  acquireLock: steps.lockStep,
  confirmAlarm: steps.confirmAlarmStep,
  assess: steps.assessStep,
  requestApproval: (s, d, i) => steps.requestApprovalStep(s, d, i.taskToken),
  verify: steps.verifyStep,
  finish: (s, d, i) => finishStep(s, d, i.outcome),
  paused: pausedStep,
  killSwitch: steps.killSwitchStep,
  failoverDatabase: steps.failoverDatabaseStep,
  failoverCache: steps.failoverCacheStep,
  raiseCapacity: steps.raiseCapacityStep,
  moveConsumers: steps.moveConsumersStep,
  moveTraffic: steps.moveTrafficStep,
  resumeTrading: steps.resumeTradingStep,
  restoreCluster: steps.restoreClusterStep,
  restoreInstance: steps.restoreInstanceStep,
  repoint: steps.repointStep,
};

export async function runStep(input: StepInput, deps: Deps, group?: StepGroup): Promise<unknown> {
  const { step } = input;
  const allowed: readonly string[] = group === 'checks' ? CHECK_STEPS : group === 'actions' ? ACTION_STEPS : [...CHECK_STEPS, ...ACTION_STEPS];
  if (!allowed.includes(step)) throw named('RunbookError', `${String(step)}: not a step of the ${group ?? 'runbook'} function`);
  const started = deps.now();
  const startedAt = started.toISOString();
  const elapsed = () => deps.now().getTime() - started.getTime();

  if (step === 'prepare') {
    try {
      const run = prepareRun(input.runbook ?? 'regionEvacuation', input.executionName ?? 'local', input.event ?? {}, deps.settings, started);
      const result: StepResult = { step, status: 'succeeded', done: true, startedAt, durationMs: elapsed(), details: { trigger: run.trigger, mode: run.mode, dryRun: run.dryRun } };
      await recordStep(run, result, deps);
      return { run, results: { prepare: result } } satisfies RunState;
    } catch (e) {
      throw classify(step, e);
    }
  }

  const state = input.state;
  if (!state?.run && step === 'paused') {
    // Prepare itself failed (a malformed request): nothing ran, but someone must hear about it.
    await pageUnstarted(state, deps);
    return { step, status: 'failed', done: true, startedAt, durationMs: elapsed(), details: {} };
  }
  if (!state?.run) throw named('RunbookError', `${step}: the state has no run (prepare must come first)`);
  let result: StepResult;
  try {
    const outcome = await BODIES[step](state, deps, input);
    result = { ...outcome, step, startedAt: (state.results?.[step]?.firstCalledAt as string | undefined) ?? startedAt, durationMs: elapsed() };
  } catch (e) {
    const error = classify(step, e);
    if (error.name !== 'TransientError' && step !== 'paused') {
      // Best effort: the failed step's own record and event (the Catch then pages).
      const failed: StepResult = { step, status: 'failed', done: true, startedAt, durationMs: elapsed(), details: { error: error.message } };
      await recordStep(state.run, failed, deps).catch(() => undefined);
      await emitStep(state.run, failed, deps).catch(() => undefined);
    }
    throw error;
  }
  if (result.status !== 'inProgress') {
    // Polling steps: the duration runs from the first call to the call that found the work done.
    const first = state.results?.[step]?.firstCalledAt as string | undefined;
    if (first) result = { ...result, durationMs: deps.now().getTime() - Date.parse(first) };
    await recordStep(state.run, result, deps);
    await emitStep(state.run, result, deps);
  }
  return result;
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Throttling, 5xx and network errors are worth a retry; anything else pages. */
export function classify(step: string, e: unknown): Error {
  const err = e as Error & { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; code?: string };
  const message = `${step}: ${err?.message ?? String(e)}`;
  if (err instanceof RunbookError || err?.name === 'RunbookError') return named('RunbookError', message);
  const transient =
    err?.name === 'TransientError' ||
    Boolean(err?.$retryable) ||
    (err?.$metadata?.httpStatusCode ?? 0) >= 500 ||
    /Throttl|TooManyRequests|RequestLimitExceeded|TimeoutError|ECONNRESET|ETIMEDOUT|EAI_AGAIN/.test(`${err?.name} ${err?.code ?? ''}`);
  return named(transient ? 'TransientError' : 'StepFailed', message);
}
