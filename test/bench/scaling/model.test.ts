/** The scaling model behaves as AWS's target tracking and the blueprint's HPA are documented to (simulated time only). */
import { figures, simulate, type ModelParameters, type Policy } from './model';

const params: ModelParameters = {
  capacity: { minTasks: 3, maxTasks: 20 },
  usersPerTask: 800,
  taskStartSeconds: 90,
  activeWindowMinutes: 1,
  cpu: { idlePercent: 10, percentPerUser: 60 / 800 },
};
const tracking: Policy = { kind: 'targetTracking', targetUsersPerTask: 800, scaleOutCooldownSeconds: 240, scaleInCooldownSeconds: 120 };
const hpa: Policy = { kind: 'blueprintHpa', cpuTargetPercent: 70, scaleUpStabilizationSeconds: 120, scaleUpPodsPerMinute: 2, scaleDownStabilizationSeconds: 600, scaleDownPeriodSeconds: 120 };
// A step from 2,000 to 8,000 users at minute 10, back to 2,000 at minute 40.
const step = [
  { minute: 0, users: 2000 },
  { minute: 10, users: 2000 },
  { minute: 10.01, users: 8000 },
  { minute: 40, users: 8000 },
  { minute: 40.01, users: 2000 },
  { minute: 90, users: 2000 },
];
const firstChange = (samples: ReturnType<typeof simulate>, after: number, up: boolean) =>
  samples.find((s, i) => s.second > after * 60 && i > 0 && (up ? s.desired > samples[i - 1].desired : s.desired < samples[i - 1].desired))!.second / 60;

describe('target tracking (AWS-managed alarms)', () => {
  const samples = simulate(step, tracking, params);

  it('scales out only after 3 one-minute datapoints above the target (plus the datapoint delay), straight to the needed count', () => {
    const at = firstChange(samples, 10, true);
    expect(at).toBeGreaterThanOrEqual(13);
    expect(at).toBeLessThanOrEqual(15);
    expect(samples.find((s) => s.second === at * 60)!.desired).toBe(10); // ceil(8,000 / 800)
  });

  it('scales in only after 15 datapoints below 90% of the target', () => {
    expect(firstChange(samples, 40, false)).toBeGreaterThanOrEqual(55);
    expect(samples[samples.length - 1].desired).toBe(3);
  });

  it('does not compound stale datapoints into an overshoot when the cooldown outlasts task start + datapoint delay + one minute', () => {
    expect(Math.max(...samples.map((s) => s.desired))).toBe(10);
  });

  it('overshoots with a shorter cooldown: the alarm still holds datapoints of the smaller fleet (why config says 240 s)', () => {
    const short = simulate(step, { ...tracking, scaleOutCooldownSeconds: 120 }, params);
    expect(Math.max(...short.map((s) => s.desired))).toBeGreaterThan(10);
  });
});

describe('the blueprint HPA (CPU 70%)', () => {
  it('adds at most 2 tasks a minute after its 120 s window, and removes one every 2 minutes after 600 s', () => {
    const samples = simulate(step, hpa, params);
    for (let i = 4; i < samples.length; i++) expect(samples[i].desired - samples[i - 4].desired).toBeLessThanOrEqual(2);
    expect(firstChange(samples, 10, true)).toBeGreaterThanOrEqual(12);
    expect(firstChange(samples, 40, false)).toBeGreaterThanOrEqual(50);
  });
});

describe('figures', () => {
  it('count task-minutes above and below the ideal fleet', () => {
    const f = figures(
      [
        { second: 0, users: 8000, desired: 10, running: 12, ideal: 10 },
        { second: 15, users: 8000, desired: 10, running: 8, ideal: 10 },
      ],
      0,
    );
    expect([f.overProvisionedTaskMinutes, f.underProvisionedTaskMinutes, f.idealTaskMinutes]).toEqual([0.5, 0.5, 5]);
  });
});
