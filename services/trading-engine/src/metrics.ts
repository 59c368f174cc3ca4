/**
 * The scaling metric, `ActiveTradingUsers`, as CloudWatch Embedded Metric Format on stdout (the awslogs
 * driver ships it; CloudWatch extracts the metric). Each task writes exactly one datapoint per minute,
 * stamped with the minute's start, under the service's dimensions only: the Sum statistic over a minute
 * is then the sum over tasks, which the scaling policy divides by RunningTaskCount.
 */
import type { ActiveUsers } from './active-users';

export const ACTIVE_USERS_METRIC = 'ActiveTradingUsers';
const MINUTE_MS = 60_000;

export interface MetricIdentity {
  readonly namespace: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** Logged beside the metric (not a dimension: per-task dimensions could not be summed by the policy). */
  readonly taskId: string;
}

export function activeUsersRecord(identity: MetricIdentity, value: number, at: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: Math.floor(at / MINUTE_MS) * MINUTE_MS,
      CloudWatchMetrics: [
        {
          Namespace: identity.namespace,
          Dimensions: [['ClusterName', 'ServiceName']],
          Metrics: [{ Name: ACTIVE_USERS_METRIC, Unit: 'Count', StorageResolution: 60 }],
        },
      ],
    },
    ClusterName: identity.clusterName,
    ServiceName: identity.serviceName,
    TaskId: identity.taskId,
    [ACTIVE_USERS_METRIC]: value,
  };
}

/** Writes the metric once a minute, just after each minute starts. */
export class ActiveUsersReporter {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly identity: MetricIdentity,
    private readonly users: ActiveUsers,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes one datapoint for the current minute. */
  emit(): void {
    this.write(JSON.stringify(activeUsersRecord(this.identity, this.users.count(), this.now())));
  }

  start(): void {
    const untilNextMinute = MINUTE_MS - (this.now() % MINUTE_MS) + 1_000;
    this.timer = setTimeout(() => {
      this.emit();
      this.timer = setInterval(() => this.emit(), MINUTE_MS);
      this.timer.unref();
    }, untilNextMinute);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
  }
}
