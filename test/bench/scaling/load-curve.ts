/**
 * The replayed day, compressed: a quiet start, a first wave to 10,000 concurrent users, the spike to
 * 100,000 (a 5-minute ramp, the hard case), an hour at the peak, and back down in two steps.
 */
import type { LoadPoint } from './model';

export const SPIKE_RAMP_START_MINUTE = 50;

export const LOAD_CURVE: readonly LoadPoint[] = [
  { minute: 0, users: 1_000 },
  { minute: 10, users: 1_000 },
  { minute: 20, users: 10_000 },
  { minute: SPIKE_RAMP_START_MINUTE, users: 10_000 },
  { minute: 55, users: 100_000 },
  { minute: 115, users: 100_000 },
  { minute: 130, users: 10_000 },
  { minute: 160, users: 10_000 },
  { minute: 170, users: 1_000 },
  { minute: 210, users: 1_000 },
];
