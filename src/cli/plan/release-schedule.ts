import { RELEASE_MARGIN_SECONDS, releaseSeconds } from '../../deployment/release-timing';
import { CUSTOM_RESOURCE_LIMIT_SECONDS } from '../../release-contract/limits';
import type { ReleaseProperties, ReleaseStrategy } from '../../release-contract/release-properties';
import { trafficSteps } from '../../release-contract/traffic-steps';

/** The release a new generation runs, as its custom resource's properties set it. */
export interface ReleaseSchedule {
  readonly strategy: ReleaseStrategy;
  /** Each traffic step: the new generation's percent, and when it starts (seconds after healthy). */
  readonly steps: Array<{ readonly percent: number; readonly atSeconds: number }>;
  /** At most this long waiting for the new generation to become healthy (healthTimeout). */
  readonly warmUpSeconds: number;
  /** At most this long waiting for the verify hook to pass it (verifyTimeout); absent without a hook. */
  readonly verifySeconds?: number;
  readonly shiftSeconds: number;
  readonly bakeSeconds: number;
  readonly drainSeconds: number;
  readonly marginSeconds: number;
  /** The longest the release takes, margin included. */
  readonly totalSeconds: number;
  /** CloudFormation's limit for a custom resource, which a release must finish within. */
  readonly limitSeconds: number;
}

/** The schedule of the release whose properties are `properties` (as synthesised: numbers as text). */
export function releaseSchedule(properties: Partial<Record<keyof ReleaseProperties, unknown>>): ReleaseSchedule {
  const strategy = String(properties.Strategy ?? 'ALL_AT_ONCE') as ReleaseStrategy;
  const interval = seconds(properties.StepIntervalSeconds);
  const percents = trafficSteps(strategy, seconds(properties.StepPercent) || 100);
  const steps = percents.map((percent, i) => ({ percent, atSeconds: i * interval }));
  const phases = {
    warmUpSeconds: seconds(properties.HealthTimeoutSeconds),
    verifySeconds: properties.VerifyFunctionArn ? seconds(properties.VerifyTimeoutSeconds) : 0,
    shiftSeconds: (percents.length - 1) * interval,
    shiftDescription: '',
    bakeSeconds: seconds(properties.BakeSeconds),
    drainSeconds: seconds(properties.DrainSeconds),
  };
  return {
    strategy,
    steps,
    warmUpSeconds: phases.warmUpSeconds,
    ...(phases.verifySeconds > 0 ? { verifySeconds: phases.verifySeconds } : {}),
    shiftSeconds: phases.shiftSeconds,
    bakeSeconds: phases.bakeSeconds,
    drainSeconds: phases.drainSeconds,
    marginSeconds: RELEASE_MARGIN_SECONDS,
    totalSeconds: releaseSeconds(phases),
    limitSeconds: CUSTOM_RESOURCE_LIMIT_SECONDS,
  };
}

function seconds(value: unknown): number {
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : 0;
}
