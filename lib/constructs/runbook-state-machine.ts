/**
 * One failover runbook as a Step Functions state machine. Every runbook has the same frame:
 *
 *   Prepare -> AcquireLock -(held / cool-down)-> Suppressed
 *           -> [alarm trigger: SustainAlarm wait -> ConfirmAlarm -(recovered)-> FinishRecovered]
 *           -> Assess -(refuse)-> FinishRefused
 *                     -(needs approval, not a dry run)-> RequestApproval (task token) -(denied / timeout)-> FinishRefused
 *           -> the runbook's steps -> Finish
 *   any step fails (after its bounded retries) -> Paused (report, FailoverAborted, critical page; lock kept) -> Fail
 *
 * Steps are Lambda tasks over functions/dr-runbook (checks or actions function), each with a timeout,
 * retries for transient errors only, and the Catch above. Steps that wait for AWS (Aurora, cache,
 * restore) loop: task -> done? -> Wait pollSeconds -> task, and fail themselves after the step timeout.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export type RunbookKind = 'regionEvacuation' | 'databaseFailover' | 'failback' | 'restore';

export interface RunbookStateMachineProps {
  readonly runbook: RunbookKind;
  readonly stateMachineName: string;
  /** Reads, bookkeeping, approval. */
  readonly checks: lambda.IFunction;
  /** The mutating steps. */
  readonly actions: lambda.IFunction;
  readonly pollInterval: Duration;
  /** How long the primary's region-health alarm must stay in ALARM before an automatic run proceeds. */
  readonly alarmSustain: Duration;
  readonly approvalTimeout: Duration;
  /** Upper bound of one Lambda call (the function's own timeout is below this); polling steps bound themselves. */
  readonly stepTimeout: Duration;
  /** The whole execution's bound. */
  readonly executionTimeout: Duration;
  /** Application Auto Scaling ARN pattern the capacity step may register (the engine's scalable target). */
  readonly scalableTargetArn: string;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** Errors worth retrying: throttling, 5xx, network (named by functions/dr-runbook/logic.ts). */
const TRANSIENT = ['TransientError'];

export class RunbookStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  private readonly props: RunbookStateMachineProps;
  private readonly paused: sfn.IChainable;

  constructor(scope: Construct, id: string, props: RunbookStateMachineProps) {
    super(scope, id);
    this.props = props;
    const fail = new sfn.Fail(this, 'Failed', { error: 'RunbookPaused', cause: 'A step failed: see the report and the critical page' });
    this.paused = this.invoke('Paused', 'checks', 'paused', { resultPath: '$.results.paused', retry: false }).next(fail);

    const finish = (outcome: string, name: string) =>
      this.invoke(name, 'checks', 'finish', { outcome, resultPath: '$.results.finish' }).next(new sfn.Succeed(this, `${name}Done`));

    const prepare = this.invoke('Prepare', 'checks', 'prepare', { prepare: true });
    const lock = this.invoke('AcquireLock', 'checks', 'acquireLock');
    const lockChoice = new sfn.Choice(this, 'LockAcquired')
      .when(sfn.Condition.booleanEquals('$.results.acquireLock.acquired', false), new sfn.Succeed(this, 'Suppressed', { comment: 'Another run holds the lock, or the cool-down is on: recorded as suppressed' }));

    const body = this.body(finish('succeeded', 'Finish'));
    let afterLock: sfn.IChainable;
    if (props.runbook === 'restore') {
      afterLock = body;
    } else {
      const assess = this.invoke('Assess', 'checks', 'assess');
      const refused = finish('refused', 'FinishRefused');
      const approval = this.invoke('RequestApproval', 'checks', 'requestApproval', { resultPath: '$.results.approval', waitForToken: true, timeout: props.approvalTimeout, catchAs: refused });
      const approved = new sfn.Choice(this, 'Approved')
        .when(sfn.Condition.booleanEquals('$.results.approval.approved', true), body)
        .otherwise(refused);
      const decision = new sfn.Choice(this, 'GoNoGo')
        .when(sfn.Condition.stringEquals('$.results.assess.decision', 'refuse'), refused)
        .when(sfn.Condition.booleanEquals('$.results.assess.waitForApproval', true), approval.next(approved))
        .otherwise(body);
      assess.next(decision);
      afterLock = assess;
      if (props.runbook === 'regionEvacuation') {
        // Automatic alarm triggers wait, then look again: a flapping alarm does not move a region.
        const sustain = new sfn.Wait(this, 'SustainAlarm', { time: sfn.WaitTime.duration(props.alarmSustain) });
        const confirm = this.invoke('ConfirmAlarm', 'checks', 'confirmAlarm');
        const sustained = new sfn.Choice(this, 'AlarmSustained')
          .when(sfn.Condition.booleanEquals('$.results.confirmAlarm.sustained', false), finish('recovered', 'FinishRecovered'))
          .otherwise(assess);
        afterLock = new sfn.Choice(this, 'AlarmTriggered')
          .when(sfn.Condition.stringEquals('$.run.trigger', 'alarm'), sustain.next(confirm).next(sustained))
          .otherwise(assess);
      }
    }
    prepare.next(lock).next(lockChoice.otherwise(afterLock));

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(prepare),
      timeout: props.executionTimeout,
      tracingEnabled: true,
      // Execution data stays out of the logs: the audit records and the report hold it.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: `Runbook ${props.runbook}: see docs/runbooks/`,
    });
  }

  /** The runbook's own steps, ending in `finish`. */
  private body(finish: sfn.IChainable): sfn.IChainable {
    const { runbook } = this.props;
    if (runbook === 'restore') {
      return this.poll('RestoreCluster', 'restoreCluster')
        .next(this.poll('RestoreInstance', 'restoreInstance'))
        .next(this.invoke('Repoint', 'actions', 'repoint'))
        .next(finish);
    }
    const killSwitch = this.invoke('KillSwitch', 'actions', 'killSwitch');
    const verify = this.invoke('Verify', 'checks', 'verify', { retryInterval: Duration.seconds(20) });
    if (runbook === 'databaseFailover') {
      return killSwitch.next(this.poll('FailoverDatabase', 'failoverDatabase')).next(this.invoke('ResumeTrading', 'actions', 'resumeTrading')).next(verify).next(finish);
    }
    // Database, cache and capacity move at once: the slowest of them, not their sum, is on the RTO path.
    const parallel = new sfn.Parallel(this, 'SwitchDataAndCapacity', {
      resultPath: '$.results.switch',
      resultSelector: {
        'failoverDatabase.$': '$[0].results.failoverDatabase',
        'failoverCache.$': '$[1].results.failoverCache',
        'raiseCapacity.$': '$[2].results.raiseCapacity',
      },
    });
    // A branch's states cannot reach Paused: their errors leave the Parallel, whose Catch pauses.
    parallel.branch(this.poll('FailoverDatabase', 'failoverDatabase', true));
    parallel.branch(this.poll('FailoverCache', 'failoverCache', true));
    parallel.branch(this.raiseCapacity());
    parallel.addCatch(this.paused, { resultPath: '$.failure' });
    return killSwitch
      .next(parallel)
      .next(this.invoke('MoveConsumers', 'actions', 'moveConsumers'))
      .next(this.invoke('MoveTraffic', 'actions', 'moveTraffic'))
      .next(this.invoke('ResumeTrading', 'actions', 'resumeTrading'))
      .next(verify)
      .next(finish);
  }

  /** The engine's desired count (Lambda), then its scaling floor (a direct SDK call), skipped in a dry run. */
  private raiseCapacity(): sfn.IChainable {
    const raise = this.invoke('RaiseCapacity', 'actions', 'raiseCapacity', { inBranch: true });
    const floor = new tasks.CallAwsService(this, 'RaiseScalingFloor', {
      service: 'applicationautoscaling',
      action: 'registerScalableTarget',
      parameters: {
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        'ResourceId.$': '$.results.raiseCapacity.scaling.resourceId',
        'MinCapacity.$': '$.results.raiseCapacity.scaling.minCapacity',
        'MaxCapacity.$': '$.results.raiseCapacity.scaling.maxCapacity',
      },
      iamAction: 'application-autoscaling:RegisterScalableTarget',
      iamResources: [this.props.scalableTargetArn],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.seconds(30)),
    });
    floor.addRetry({ errors: ['ApplicationAutoScaling.ConcurrentUpdateException', 'ApplicationAutoScaling.InternalServiceException'], maxAttempts: 3, interval: Duration.seconds(2), backoffRate: 2 });
    const skip = new sfn.Pass(this, 'ScalingFloorUnchanged');
    return raise.next(new sfn.Choice(this, 'DryRunCapacity').when(sfn.Condition.booleanEquals('$.run.dryRun', true), skip).otherwise(floor));
  }

  /** A step that waits for AWS: call, and while `done` is false, wait and call again. */
  private poll(name: string, step: string, inBranch = false): sfn.Chain {
    const task = this.invoke(name, 'actions', step, { inBranch });
    const wait = new sfn.Wait(this, `${name}Wait`, { time: sfn.WaitTime.duration(this.props.pollInterval) });
    const finished = new sfn.Pass(this, `${name}Done`);
    task.next(new sfn.Choice(this, `${name}Finished`).when(sfn.Condition.booleanEquals(`$.results.${step}.done`, false), wait.next(task)).otherwise(finished));
    return sfn.Chain.custom(task, [finished], finished);
  }

  private invoke(
    name: string,
    fn: 'checks' | 'actions',
    step: string,
    options: {
      resultPath?: string;
      prepare?: boolean;
      outcome?: string;
      waitForToken?: boolean;
      timeout?: Duration;
      retry?: boolean;
      retryInterval?: Duration;
      catchAs?: sfn.IChainable;
      /** Inside a Parallel branch: no Catch of its own (the Parallel's catches). */
      inBranch?: boolean;
    } = {},
  ): tasks.LambdaInvoke {
    const payload: Record<string, unknown> = options.prepare
      ? { step, runbook: this.props.runbook, 'event.$': '$', 'executionName.$': '$$.Execution.Name' }
      : { step, 'state.$': '$', ...(options.outcome ? { outcome: options.outcome } : {}), ...(options.waitForToken ? { taskToken: sfn.JsonPath.taskToken } : {}) };
    const task = new tasks.LambdaInvoke(this, name, {
      lambdaFunction: fn === 'checks' ? this.props.checks : this.props.actions,
      payload: sfn.TaskInput.fromObject(payload),
      ...(options.waitForToken ? { integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN } : { payloadResponseOnly: true }),
      // Prepare's output replaces the trigger event (no ResultPath: the ASL default, `$`).
      resultPath: options.prepare ? undefined : (options.resultPath ?? `$.results.${step}`),
      taskTimeout: sfn.Timeout.duration(options.timeout ?? this.props.stepTimeout),
      retryOnServiceExceptions: options.retry !== false,
    });
    if (options.retry !== false) {
      task.addRetry({ errors: TRANSIENT, maxAttempts: 3, interval: options.retryInterval ?? Duration.seconds(2), backoffRate: 2 });
    }
    if (options.catchAs) task.addCatch(options.catchAs, { errors: ['Denied', 'States.Timeout'], resultPath: '$.failure' });
    if (step !== 'paused' && !options.inBranch) task.addCatch(this.paused, { resultPath: '$.failure' });
    return task;
  }
}
