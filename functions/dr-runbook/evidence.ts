/**
 * The evidence every execution leaves: audit records in the runbook table (one per step, one summary per
 * run, one index row per run), an event per step on the region's ops bus, pages through the severity
 * topics, and the report in S3. Each write is keyed by the run and the step, so a retried step overwrites
 * its own record instead of adding another.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { opsEventEntry, type OpsDetailType, type OpsEventEntryInput } from '@shared/events';
import { topicArn } from './settings';
import type { Deps, RunContext, StepResult } from './types';

export const runPk = (runId: string) => `RUN#${runId}`;

export async function recordStep(run: RunContext, result: StepResult, deps: Deps): Promise<void> {
  await deps.ddb.send(
    new PutCommand({
      TableName: deps.settings.names.runbookTable,
      Item: { pk: runPk(run.runId), sk: `STEP#${result.startedAt}#${result.step}`, ...result, runbook: run.runbook, dryRun: run.dryRun },
    }),
  );
}

export type RunOutcome = 'succeeded' | 'failed' | 'suppressed' | 'refused' | 'noop' | 'recovered';

export async function recordSummary(run: RunContext, outcome: RunOutcome, details: Record<string, unknown>, deps: Deps): Promise<void> {
  const at = deps.now().toISOString();
  const summary = { ...run, outcome, at, ...details };
  await deps.ddb.send(new PutCommand({ TableName: deps.settings.names.runbookTable, Item: { pk: runPk(run.runId), sk: 'SUMMARY', ...summary } }));
  // One row per run under a fixed key: `aws dynamodb query --key-condition-expression pk = :runs` lists them.
  await deps.ddb.send(
    new PutCommand({ TableName: deps.settings.names.runbookTable, Item: { pk: 'RUNS', sk: `${run.requestedAt}#${run.runId}`, runbook: run.runbook, outcome, dryRun: run.dryRun, at } }),
  );
}

export async function stepRecords(runId: string, deps: Deps): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.ddb.send(
      new QueryCommand({
        TableName: deps.settings.names.runbookTable,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
        ExpressionAttributeValues: { ':pk': runPk(runId), ':step': 'STEP#' },
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

export async function emit<D extends OpsDetailType>(detailType: D, input: OpsEventEntryInput<D>, deps: Deps): Promise<void> {
  const { detail: _validated, ...entry } = opsEventEntry(detailType, input, deps.settings.names.opsBus, { now: deps.now });
  const out = await deps.clients(deps.settings.region).events.send(new PutEventsCommand({ Entries: [entry] }));
  if (out.FailedEntryCount) throw new Error(`ops bus refused ${detailType}: ${out.Entries?.[0]?.ErrorMessage ?? 'unknown error'}`);
}

/** The event of one finished step (polling rounds that are still in progress emit nothing). */
export async function emitStep(run: RunContext, result: StepResult, deps: Deps): Promise<void> {
  if (result.status === 'inProgress') return;
  await emit(
    'FailoverStepCompleted',
    {
      originRegion: deps.settings.region,
      runId: run.runId,
      operation: run.operation,
      step: result.step,
      status: result.status,
      fromRegion: run.sourceRegion,
      toRegion: run.targetRegion,
      dryRun: run.dryRun,
      durationMs: Math.max(0, Math.round(result.durationMs)),
      details: scalarDetails(result.details),
    },
    deps,
  );
}

export function scalarDetails(details: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(details)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

export async function page(severity: 'critical' | 'warning' | 'info', subject: string, message: string, deps: Deps): Promise<void> {
  await deps.clients(deps.settings.region).sns.send(
    new PublishCommand({ TopicArn: topicArn(deps.settings, severity), Subject: subject.slice(0, 99), Message: message }),
  );
}

export function reportKey(run: RunContext): string {
  return `runs/${run.runbook}/${run.requestedAt.slice(0, 10)}/${run.runId}.json`;
}

export async function writeReport(run: RunContext, report: Record<string, unknown>, deps: Deps): Promise<string> {
  const key = reportKey(run);
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.settings.names.reportBucket,
      Key: key,
      Body: JSON.stringify(report, null, 2),
      ContentType: 'application/json',
    }),
  );
  return key;
}
