import type { ReleaseConfig } from './properties';
import type { PendingWrite, ReleaseState } from './state';
import { sameSplit, shareOf, type TrafficSplit } from './traffic';
import type { ReleaseStepDetail } from '../../release-contract/events';
import type { ReleaseAttributes } from '../../release-contract/release-properties';

/** The step event each kind of rule write reports. */
export const STEP_NAMES: Record<PendingWrite['kind'], string> = {
  attach: 'ATTACHED',
  step: 'SHIFTED',
  commit: 'COMMITTED',
  restore: 'ROLLED_BACK',
};

/**
 * The state after a rule write took effect. One function for both the poll that made the
 * write and a later poll that finds the write done but unrecorded (the Lambda died between
 * the write and the save), so both end in the same state.
 */
export function afterWrite(state: ReleaseState, write: PendingWrite, config: ReleaseConfig): ReleaseState {
  const base = { ...state, written: write.split, pending: undefined };
  switch (write.kind) {
    case 'attach':
      return {
        ...base,
        phase: 'WAITING_HEALTHY',
        phaseAt: write.at,
        healthDeadline: write.at + config.healthTimeoutSeconds * 1000,
      };
    case 'step': {
      const full = state.candidate !== undefined && shareOf(write.split, state.candidate.targetGroupArn) === 100;
      return {
        ...base,
        step: write.step ?? state.step,
        stepAt: write.at,
        ...(full ? { phase: 'BAKING' as const, phaseAt: write.at, fullAt: write.at } : {}),
      };
    }
    case 'commit':
      return committed(base, write.at);
    case 'restore':
      return { ...base, phase: 'FAILED', phaseAt: write.at, outcome: 'ROLLED_BACK' };
  }
}

/**
 * A rule write saved as pending but not recorded as done. If the rule as found shows it, it
 * happened (the Lambda died between the write and the save): record it with afterWrite;
 * otherwise forget it, and the phase that planned it runs again. One function for a later
 * poll of the same request and for a new request planning from the state it inherits.
 */
export function settlePending(
  state: ReleaseState,
  rule: { readonly arn: string; readonly split?: TrafficSplit } | undefined,
  config: ReleaseConfig,
): { readonly state: ReleaseState; readonly recorded: boolean } {
  const pending = state.pending;
  if (!pending) {
    return { state, recorded: false };
  }
  if (rule && sameSplit(rule.split, pending.split)) {
    return { state: { ...afterWrite(state, pending, config), ruleArn: rule.arn }, recorded: true };
  }
  return { state: { ...state, pending: undefined }, recorded: false };
}

/** The step event for `state`, as the controller publishes it after the poll's save. */
export function stepDetail(deploymentName: string, state: ReleaseState, step: string, message?: string): ReleaseStepDetail {
  const candidate = state.candidate;
  return {
    deploymentName,
    deploymentId: state.deploymentId,
    step,
    mode: state.mode,
    phase: state.phase,
    liveGeneration: state.live?.key,
    candidateGeneration: candidate?.key,
    previousGeneration: state.previous?.key,
    candidatePercent: candidate && state.written ? shareOf(state.written, candidate.targetGroupArn) : undefined,
    outcome: state.outcome,
    message,
    ruleArn: state.ruleArn,
  };
}

/** The state once the request's target generation is the only one the rule forwards to. */
export function committed(state: ReleaseState, at: number): ReleaseState {
  if (state.mode === 'CONVERGE' || !state.candidate) {
    return { ...state, phase: 'COMMITTED', phaseAt: at, outcome: 'UNCHANGED', candidate: undefined, pending: undefined };
  }
  return {
    ...state,
    phase: 'COMMITTED',
    phaseAt: at,
    outcome: state.mode === 'REVERT' ? 'REVERTED' : 'RELEASED',
    live: state.candidate,
    liveSince: state.deploymentId,
    previous: state.live,
    candidate: undefined,
    pending: undefined,
  };
}

/** The resource's attributes once complete. */
export function releaseAttributes(state: ReleaseState): ReleaseAttributes {
  return {
    LiveGeneration: state.live?.key ?? '',
    LiveTargetGroupArn: state.live?.targetGroupArn ?? '',
    PreviousGeneration: state.previous?.key ?? '',
    DeploymentId: state.liveSince ?? state.deploymentId,
    Outcome: state.outcome ?? 'UNCHANGED',
    RuleArn: state.ruleArn ?? '',
  };
}
