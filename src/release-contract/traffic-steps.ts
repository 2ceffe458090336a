import type { ReleaseStrategy } from './release-properties';

/**
 * The percentages of traffic the new generation gets, step by step; the last is always 100.
 * ALL_AT_ONCE: [100]. CANARY p: [p, 100]. LINEAR p: [p, 2p, …, 100]. A percent outside 1..99
 * (or not a number at all, such as an unresolved CDK token) moves everything at once.
 *
 * The one copy of the algorithm: `TrafficShift.steps` (the synth-time timing check) and the
 * release controller's SHIFTING phase both call it, so the schedule checked at synth is the
 * one the Lambda runs.
 */
export function trafficSteps(strategy: ReleaseStrategy, stepPercent: number): number[] {
  if (strategy === 'ALL_AT_ONCE' || !(stepPercent >= 1 && stepPercent < 100)) {
    return [100];
  }
  if (strategy === 'CANARY') {
    return [stepPercent, 100];
  }
  const steps: number[] = [];
  for (let percent = stepPercent; percent < 100; percent += stepPercent) {
    steps.push(percent);
  }
  steps.push(100);
  return steps;
}
