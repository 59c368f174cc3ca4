/**
 * `npm run simulate:scaling` (also `npm run bench scaling`): replays the load curve against the prod
 * engine's configured scaling (target tracking on active users per task, CPU back-stop) and the
 * blueprint's CPU-only HPA, in the primary's configured capacity and in a fleet sized for 100,000 users
 * at the target, and prints the tasks over time and the figures against the targets:
 * capacity within 10 minutes of the spike's start, over-provisioning <= 20% of the ideal task-minutes.
 */
import { loadConfig } from '../../lib/config';
import { LOAD_CURVE, SPIKE_RAMP_START_MINUTE } from './scaling/load-curve';
import { figures, simulate, type Capacity, type ModelParameters, type Policy, type Sample } from './scaling/model';

/** Fargate pull and start of a 4 vCPU task, two passing health checks 10 s apart, the group's rebalance. */
const TASK_START_SECONDS = 90;
const PEAK_USERS = Math.max(...LOAD_CURVE.map((p) => p.users));

export function scalingSimulation(): { figures: Record<string, string | number>; timeline: string } {
  const config = loadConfig('prod');
  const { scaling, capacity } = config.tradingEngine;
  const target = scaling.targetActiveUsersPerTask;
  const base: Omit<ModelParameters, 'capacity'> = {
    usersPerTask: target,
    taskStartSeconds: TASK_START_SECONDS,
    activeWindowMinutes: scaling.activeWindowMinutes,
    // Assumed, not measured: a task at the target runs at the blueprint's 70% CPU (10% idle).
    cpu: { idlePercent: 10, percentPerUser: 60 / target },
  };
  const deployed: Policy = {
    kind: 'targetTracking',
    targetUsersPerTask: target,
    cpuTargetPercent: scaling.cpuTargetPercent,
    scaleOutCooldownSeconds: scaling.scaleOutCooldownSeconds,
    scaleInCooldownSeconds: scaling.scaleInCooldownSeconds,
  };
  const blueprint: Policy = {
    kind: 'blueprintHpa',
    cpuTargetPercent: 70,
    scaleUpStabilizationSeconds: 120,
    scaleUpPodsPerMinute: 2,
    scaleDownStabilizationSeconds: 600,
    scaleDownPeriodSeconds: 120,
  };
  const configured: Capacity = capacity.primary;
  const sized: Capacity = { minTasks: configured.minTasks, maxTasks: Math.ceil(PEAK_USERS / target) };

  const runs: { name: string; capacity: Capacity; samples: Sample[] }[] = [
    { name: `users/task (deployed), ${configured.minTasks}-${configured.maxTasks} tasks`, capacity: configured, samples: [] },
    { name: `blueprint CPU-only HPA, ${configured.minTasks}-${configured.maxTasks} tasks`, capacity: configured, samples: [] },
    { name: `users/task (deployed), ${sized.minTasks}-${sized.maxTasks} tasks`, capacity: sized, samples: [] },
    { name: `blueprint CPU-only HPA, ${sized.minTasks}-${sized.maxTasks} tasks`, capacity: sized, samples: [] },
  ].map((r, i) => ({ ...r, samples: simulate(LOAD_CURVE, i % 2 === 0 ? deployed : blueprint, { ...base, capacity: r.capacity }) }));

  const out: Record<string, string | number> = {
    'load curve': `1,000 -> 10,000 -> ${PEAK_USERS.toLocaleString('en-US')} users (5-min spike at minute ${SPIKE_RAMP_START_MINUTE}) and back`,
    'target users per task': target,
    'task start (s)': TASK_START_SECONDS,
    'active-user window (min)': scaling.activeWindowMinutes,
  };
  for (const run of runs) {
    const f = figures(run.samples, SPIKE_RAMP_START_MINUTE);
    const over = f.overProvisionedTaskMinutes / f.idealTaskMinutes;
    out[`${run.name}: time to peak capacity (${f.peakIdealTasks} tasks)`] =
      f.secondsToPeakCapacity === undefined ? 'never' : `${(f.secondsToPeakCapacity / 60).toFixed(1)} min ${f.secondsToPeakCapacity <= 600 ? '(target <= 10: met)' : '(target <= 10: MISSED)'}`;
    out[`${run.name}: over-provisioned task-minutes`] = `${f.overProvisionedTaskMinutes.toFixed(0)} of ${f.idealTaskMinutes.toFixed(0)} ideal = ${(over * 100).toFixed(1)}% ${over <= 0.2 ? '(target <= 20%: met)' : '(target <= 20%: MISSED)'}`;
    out[`${run.name}: under-provisioned task-minutes`] = f.underProvisionedTaskMinutes.toFixed(0);
    // Above the target when the ceiling binds: the fleet is full and each task carries the excess.
    out[`${run.name}: users per task at peak`] = Math.round(PEAK_USERS / f.peakIdealTasks);
  }
  return { figures: out, timeline: timeline(runs) };
}

/** Tasks running every 5 minutes, per run, beside the users and the ideal fleet. */
function timeline(runs: readonly { name: string; samples: Sample[] }[]): string {
  const header = ['min', 'users', ...runs.map((_, i) => `ideal${i < 2 ? '' : '*'}|run ${String.fromCharCode(65 + i)}`)];
  const lines = [runs.map((r, i) => `  ${String.fromCharCode(65 + i)}: ${r.name}`).join('\n'), header.join('\t')];
  for (let k = 0; k < runs[0].samples.length; k += 20) {
    const s = runs[0].samples[k];
    lines.push([s.second / 60, Math.round(s.users), ...runs.map((r) => `${r.samples[k].ideal}|${r.samples[k].running}`)].join('\t'));
  }
  return lines.join('\n');
}

/** The bench entry: prints the timeline, returns the figures for run.ts to print. */
export function scalingBench(): Record<string, string | number> {
  const { figures: f, timeline: t } = scalingSimulation();
  console.log(t);
  return f;
}
