/**
 * A minute-by-minute model of the engine's autoscaling, to replay a load curve against a policy without
 * AWS. Two policies are modelled:
 *
 * - `targetTracking`: Application Auto Scaling target tracking as AWS runs it for ECS: AWS-managed alarms
 *   on one-minute datapoints (high: 3 of 3 above the target; low: 15 of 15 below 90% of it), each
 *   datapoint usable one minute after it closes; on a high alarm the desired count becomes
 *   ceil(capacity x metric / target) (AWS's proportional step, uncapped), where within a scale-out
 *   cooldown the capacity is the one before it (AWS counts the tasks added since as already there, and
 *   only a larger result acts); the scale-in cooldown between scale-ins. Several policies
 *   on one target: the largest capacity wins. Deployed: users/task, with CPU as a back-stop.
 * - `blueprintHpa`: the blueprint's Kubernetes HPA on CPU 70%: a recommendation every 15 s,
 *   ceil(replicas x cpu / 70) with a 10% tolerance, scale-up after a 120 s stabilization window at most
 *   2 pods a minute, scale-down after a 600 s window at most 1 pod every 2 minutes.
 *
 * Tasks start `taskStartSeconds` after the desired count rises (Fargate pull and start, load balancer
 * health checks, the consumer group's rebalance), and leave at once when it falls (they drain).
 */

export interface LoadPoint {
  /** Minutes from the start. */
  readonly minute: number;
  readonly users: number;
}

export interface Capacity {
  readonly minTasks: number;
  readonly maxTasks: number;
}

export interface TargetTrackingPolicy {
  readonly kind: 'targetTracking';
  readonly targetUsersPerTask: number;
  /** CPU back-stop target; omitted: none. */
  readonly cpuTargetPercent?: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
}

export interface BlueprintHpaPolicy {
  readonly kind: 'blueprintHpa';
  readonly cpuTargetPercent: number;
  readonly scaleUpStabilizationSeconds: number;
  readonly scaleUpPodsPerMinute: number;
  readonly scaleDownStabilizationSeconds: number;
  readonly scaleDownPeriodSeconds: number;
}

export type Policy = TargetTrackingPolicy | BlueprintHpaPolicy;

export interface ModelParameters {
  readonly capacity: Capacity;
  /** Users a task is sized for (the target): the ideal fleet is ceil(users / this), within capacity. */
  readonly usersPerTask: number;
  readonly taskStartSeconds: number;
  /** A user counts as active this long after their last activity (the engine's window). */
  readonly activeWindowMinutes: number;
  /** CPU of a task carrying u users: min(100, idle + perUser x u). */
  readonly cpu: { readonly idlePercent: number; readonly percentPerUser: number };
}

/** AWS-managed target tracking alarms (not configurable). */
export const AWS_TARGET_TRACKING = { highDatapoints: 3, lowDatapoints: 15, lowThresholdRatio: 0.9, datapointDelayMinutes: 1 } as const;

export interface Sample {
  readonly second: number;
  readonly users: number;
  readonly desired: number;
  readonly running: number;
  readonly ideal: number;
}

const TICK = 15;

/** Users at `minute`, linear between the curve's points. */
export function usersAt(curve: readonly LoadPoint[], minute: number): number {
  if (minute <= curve[0].minute) return curve[0].users;
  for (let i = 1; i < curve.length; i++) {
    const [a, b] = [curve[i - 1], curve[i]];
    if (minute <= b.minute) return a.users + ((b.users - a.users) * (minute - a.minute)) / (b.minute - a.minute);
  }
  return curve[curve.length - 1].users;
}

export function idealTasks(users: number, p: ModelParameters): number {
  return clamp(Math.ceil(users / p.usersPerTask), p.capacity);
}

function clamp(n: number, c: Capacity): number {
  return Math.max(c.minTasks, Math.min(c.maxTasks, n));
}

export function simulate(curve: readonly LoadPoint[], policy: Policy, p: ModelParameters): Sample[] {
  const end = curve[curve.length - 1].minute * 60;
  const cpuOf = (users: number, running: number) => Math.min(100, p.cpu.idlePercent + p.cpu.percentPerUser * (users / Math.max(running, 1)));
  // Start at the steady state of the curve's first load.
  let desired = idealTasks(curve[0].users, p);
  let starts: number[] = Array.from({ length: desired }, () => -Infinity); // when each task is (or will be) running
  const samples: Sample[] = [];
  // Per-minute datapoints (target tracking) and recommendations (HPA).
  const minuteUsers: number[] = [];
  const minuteRunning: number[] = [];
  const minuteCpu: number[] = [];
  let acc = { users: 0, running: 0, cpu: 0, n: 0 };
  let lastScaleIn = -Infinity;
  // Within a scale-out cooldown AWS computes from the capacity before it (the tasks added since count as
  // already there): the datapoints still describe the smaller fleet, and compounding them would overshoot.
  let cooldown = { until: -Infinity, basis: 0 };
  const recommendations: { second: number; replicas: number }[] = [];
  const changes: { second: number; delta: number }[] = [];

  const setDesired = (second: number, next: number) => {
    next = clamp(next, p.capacity);
    if (next > desired) {
      for (let i = desired; i < next; i++) starts.push(second + p.taskStartSeconds);
    } else if (next < desired) {
      // ECS stops the newest tasks first (pending ones before running ones).
      starts = starts.sort((a, b) => a - b).slice(0, next);
    }
    if (next !== desired) changes.push({ second, delta: next - desired });
    desired = next;
  };

  for (let second = 0; second <= end; second += TICK) {
    const minute = second / 60;
    const users = usersAt(curve, minute);
    const running = starts.filter((s) => s <= second).length;
    samples.push({ second, users, desired, running, ideal: idealTasks(users, p) });
    const windowStart = Math.max(0, minute - p.activeWindowMinutes);
    // Active users: everyone seen within the window (users who left still count until it passes).
    const active = Math.max(users, ...[0, 0.25, 0.5, 0.75, 1].map((f) => usersAt(curve, windowStart + f * (minute - windowStart))));
    acc = { users: acc.users + active, running: acc.running + running, cpu: acc.cpu + cpuOf(users, running), n: acc.n + 1 };

    if (policy.kind === 'blueprintHpa') {
      // HPA: CPU averaged over the last minute, evaluated every 15 s.
      const cpu = cpuOf(users, running);
      const ratio = cpu / policy.cpuTargetPercent;
      const current = desired;
      const raw = Math.abs(ratio - 1) <= 0.1 ? current : Math.ceil(running * ratio);
      recommendations.push({ second, replicas: clamp(raw, p.capacity) });
      const within = (s: number) => recommendations.filter((r) => r.second > second - s).map((r) => r.replicas);
      const upRec = Math.min(...within(policy.scaleUpStabilizationSeconds));
      const downRec = Math.max(...within(policy.scaleDownStabilizationSeconds));
      const added = changes.filter((c) => c.delta > 0 && c.second > second - 60).reduce((n, c) => n + c.delta, 0);
      const lastDown = Math.max(-Infinity, ...changes.filter((c) => c.delta < 0).map((c) => c.second));
      if (upRec > current) setDesired(second, Math.min(upRec, current + Math.max(0, policy.scaleUpPodsPerMinute - added)));
      else if (downRec < current && second - lastDown >= policy.scaleDownPeriodSeconds) setDesired(second, current - 1);
    }

    if ((second + TICK) % 60 === 0) {
      // A minute closed: its datapoints (averages) exist; target tracking evaluates.
      minuteUsers.push(acc.users / acc.n);
      minuteRunning.push(acc.running / acc.n);
      minuteCpu.push(acc.cpu / acc.n);
      acc = { users: 0, running: 0, cpu: 0, n: 0 };
      if (policy.kind === 'targetTracking') {
        const now = second + TICK;
        const usable = minuteUsers.length - AWS_TARGET_TRACKING.datapointDelayMinutes;
        // The deployed expression: sum(ActiveTradingUsers) / RunningTaskCount.
        const perTask = (i: number) => minuteUsers[i] / Math.max(minuteRunning[i], 1);
        const metrics: { value: (i: number) => number; target: number }[] = [{ value: perTask, target: policy.targetUsersPerTask }];
        if (policy.cpuTargetPercent) metrics.push({ value: (i) => minuteCpu[i], target: policy.cpuTargetPercent });
        const last = (n: number) => Array.from({ length: n }, (_, k) => usable - 1 - k).filter((i) => i >= 0);
        const high = metrics.filter((m) => last(AWS_TARGET_TRACKING.highDatapoints).length === AWS_TARGET_TRACKING.highDatapoints && last(AWS_TARGET_TRACKING.highDatapoints).every((i) => m.value(i) > m.target));
        const lowOk = (m: (typeof metrics)[number]) =>
          last(AWS_TARGET_TRACKING.lowDatapoints).length === AWS_TARGET_TRACKING.lowDatapoints &&
          last(AWS_TARGET_TRACKING.lowDatapoints).every((i) => m.value(i) < m.target * AWS_TARGET_TRACKING.lowThresholdRatio);
        const basis = now < cooldown.until ? cooldown.basis : desired;
        const proposal = (m: (typeof metrics)[number]) => Math.ceil((basis * m.value(usable - 1)) / m.target);
        if (high.length) {
          const next = clamp(Math.max(...high.map(proposal)), p.capacity);
          if (next > desired) {
            if (now >= cooldown.until) cooldown = { until: now + policy.scaleOutCooldownSeconds, basis: desired };
            setDesired(now, next);
          }
        } else if (lowOk(metrics[0]) && now - lastScaleIn >= policy.scaleInCooldownSeconds) {
          // The largest capacity any policy asks for wins: the back-stop holds the fleet if CPU is still busy.
          const next = clamp(Math.max(...metrics.map(proposal)), p.capacity);
          if (next < desired) {
            setDesired(now, next);
            lastScaleIn = now;
          }
        }
      }
    }
  }
  return samples;
}

export interface Figures {
  /** Seconds from `fromMinute` until the running tasks first meet the ideal at the peak load. */
  readonly secondsToPeakCapacity: number | undefined;
  readonly peakIdealTasks: number;
  readonly taskMinutes: number;
  readonly idealTaskMinutes: number;
  /** Task-minutes run above the ideal fleet. */
  readonly overProvisionedTaskMinutes: number;
  /** Task-minutes short of the ideal fleet. */
  readonly underProvisionedTaskMinutes: number;
  readonly maxUsersPerTask: number;
}

export function figures(samples: readonly Sample[], rampStartMinute: number): Figures {
  const perMinute = TICK / 60;
  const peak = Math.max(...samples.map((s) => s.ideal));
  const peakUsers = Math.max(...samples.map((s) => s.users));
  const reached = samples.find((s) => s.second >= rampStartMinute * 60 && s.users >= peakUsers && s.running >= peak);
  const sum = (f: (s: Sample) => number) => samples.reduce((n, s) => n + f(s) * perMinute, 0);
  return {
    secondsToPeakCapacity: reached ? reached.second - rampStartMinute * 60 : undefined,
    peakIdealTasks: peak,
    taskMinutes: sum((s) => s.running),
    idealTaskMinutes: sum((s) => s.ideal),
    overProvisionedTaskMinutes: sum((s) => Math.max(0, s.running - s.ideal)),
    underProvisionedTaskMinutes: sum((s) => Math.max(0, s.ideal - s.running)),
    maxUsersPerTask: Math.max(...samples.map((s) => s.users / Math.max(s.running, 1))),
  };
}
