import type { ReleaseConfig } from './properties';
import type { PendingWrite, ReleaseState } from './state';
import { shareOf } from './traffic';
import type { ReleaseAttributes } from '../../deployment/release-properties';

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
