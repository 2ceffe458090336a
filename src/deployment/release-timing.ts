import { IConstruct } from 'constructs';
import { CUSTOM_RESOURCE_LIMIT_SECONDS } from '../release-contract/limits';

/**
 * Kept free of any phase: the provider's polling interval and start-up, the restore of the
 * old generation when the last check fails, and API retries under throttling.
 */
export const RELEASE_MARGIN_SECONDS = 300;

/**
 * What the release controller may spend before it gives up and restores the old generation:
 * the limit less the margin, so it always fails cleanly before CloudFormation times it out.
 */
export const RELEASE_DEADLINE_SECONDS = CUSTOM_RESOURCE_LIMIT_SECONDS - RELEASE_MARGIN_SECONDS;

/** The phases of one release, in seconds, each with the setting that controls it. */
export type ReleasePhases = {
  /** Waiting for the new generation to become healthy (healthTimeout). */
  readonly warmUpSeconds: number;
  /** Waiting for the verify hook to pass the new generation (verifyTimeout; 0 without a hook). */
  readonly verifySeconds: number;
  /** Time at partial weights (trafficShift: steps x interval). */
  readonly shiftSeconds: number;
  /** Description of the shift for messages, e.g. '9 steps x 300 s = 2700 s'. */
  readonly shiftDescription: string;
  /** Time at 100 % under alarms (bakeTime). */
  readonly bakeSeconds: number;
  /** Draining the old generation (deregistrationDelay). */
  readonly drainSeconds: number;
};

/** The longest a successful release takes, margin included. */
export function releaseSeconds(phases: ReleasePhases): number {
  return phases.warmUpSeconds + phases.verifySeconds + phases.shiftSeconds + phases.bakeSeconds + phases.drainSeconds + RELEASE_MARGIN_SECONDS;
}

/**
 * Fails synth when a release cannot finish inside CloudFormation's custom resource limit, and
 * says which settings to lower and by how much.
 */
export function checkReleaseTiming(scope: IConstruct, phases: ReleasePhases): void {
  const total = releaseSeconds(phases);
  if (total <= CUSTOM_RESOURCE_LIMIT_SECONDS) {
    return;
  }
  const excess = total - CUSTOM_RESOURCE_LIMIT_SECONDS;
  const settings = [
    { prop: 'healthTimeout', seconds: phases.warmUpSeconds, shown: `${phases.warmUpSeconds} s`, how: '' },
    ...(phases.verifySeconds > 0 ? [{ prop: 'verifyTimeout', seconds: phases.verifySeconds, shown: `${phases.verifySeconds} s`, how: '' }] : []),
    { prop: 'trafficShift', seconds: phases.shiftSeconds, shown: phases.shiftDescription, how: ': a larger percent (fewer steps) or a shorter interval' },
    { prop: 'bakeTime', seconds: phases.bakeSeconds, shown: `${phases.bakeSeconds} s`, how: '' },
    { prop: 'deregistrationDelay', seconds: phases.drainSeconds, shown: `${phases.drainSeconds} s`, how: '' },
  ];
  const breakdown = settings.map(s => `${s.prop} ${s.shown}`).join(' + ');
  const largest = [...settings].sort((a, b) => b.seconds - a.seconds)[0];
  const fix = largest.seconds >= excess
    ? `Lower ${largest.prop} by at least ${excess} s (to ${largest.seconds - excess} s or less${largest.how})`
    : `Lower ${settings.filter(s => s.seconds > 0).map(s => s.prop).join(', ')} by ${excess} s in total`;
  throw new Error(`${scope.node.path}: invalid release timing (${total} s): a release must finish within CloudFormation's `
    + `${CUSTOM_RESOURCE_LIMIT_SECONDS} s custom resource limit, and this one can take ${breakdown} + ${RELEASE_MARGIN_SECONDS} s margin = ${total} s, `
    + `${excess} s too long. ${fix}.`);
}
