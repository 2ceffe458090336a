import { describeRule, findRuleAtPriority } from './aws/listener-rule';
import { now } from './clock';
import { ReleaseFailure, StaleRequest, SupersededRequest } from './errors';
import { log } from './log';
import { settlePending } from './outcome';
import type { GenerationRef, ReleaseConfig } from './properties';
import type { ReleaseRequest } from './request';
import type { ReleaseState } from './state';
import { describeSplit, forwardsOnlyTo } from './traffic';

// Enough to recognise polls of the last few requests as stale.
const SUPERSEDED_KEPT = 10;

/** Same generation: same key and the very same target group (a replaced group is new). */
export function sameGeneration(a: GenerationRef | undefined, b: GenerationRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.key === b.key && a.targetGroupArn === b.targetGroupArn;
}

/**
 * The state this poll works on. A poll of the request that owns the state continues it; a
 * poll of an earlier request is stale and changes nothing; any other request is new and
 * takes the state over, planned from what is live.
 */
export interface ClaimedState {
  readonly state: ReleaseState;
  /** True when this poll's request takes the state over (its first poll). */
  readonly isNew: boolean;
}

export async function claimState(request: ReleaseRequest, config: ReleaseConfig, stored: ReleaseState | undefined): Promise<ClaimedState> {
  const physicalId = request.PhysicalResourceId ?? '';
  if (stored && stored.owner !== physicalId) {
    throw new ReleaseFailure(`the release state of deployment ${config.deploymentName} belongs to another release resource (${stored.owner}); give each deployment its own DeploymentName`);
  }
  if (stored?.deploymentId === request.RequestId) {
    return { state: stored, isNew: false };
  }
  if (stored?.superseded.includes(request.RequestId)) {
    throw new SupersededRequest(request.RequestId, stored.deploymentId);
  }
  if (stored?.ruleArn && stored.listenerArn !== config.listenerArn && request.RequestType === 'Update') {
    throw new ReleaseFailure(`the deployment's listener rule ${stored.ruleArn} lives on listener ${stored.listenerArn}; moving it to ${config.listenerArn} in place is not supported: replace the release resource (give the deployment a new id) instead`);
  }
  // A stale poll (its waiter outlived CloudFormation's wait) must not take over, or revive
  // state that a Delete removed: it would create a rule that blocks CloudFormation deleting
  // the target groups. A live request claims within seconds of onEvent.
  const age = request.RequestedAt === undefined ? 0 : now() - request.RequestedAt;
  if (age >= config.deadlineSeconds * 1000) {
    throw new StaleRequest(request.RequestId, Math.round(age / 1000), config.deadlineSeconds);
  }
  const base = stored
    ? await settleInherited(stored, config)
    : request.RequestType === 'Update' ? await recoverState(request, config) : undefined;
  return { state: planRequest(request, config, base), isNew: true };
}

/**
 * The state as the load balancer shows it: a rule write that the previous request saved as
 * pending but never recorded (its Lambda died between the write and the save) is recorded
 * if the rule shows it, and forgotten if not. A new request must plan from that: if an
 * unrecorded cutover left the old generation "live" in the state while the rule forwards to
 * the new one alone, CloudFormation's rollback would otherwise switch all traffic straight
 * to a target group the load balancer has stopped health-checking.
 */
async function settleInherited(stored: ReleaseState, config: ReleaseConfig): Promise<ReleaseState> {
  const pending = stored.pending;
  if (!pending) {
    return stored;
  }
  const rule = stored.ruleArn ? await describeRule(stored.ruleArn) : await findRuleAtPriority(config.listenerArn, config.priority);
  const settled = settlePending(stored, rule, config);
  if (settled.recorded) {
    log.info('the previous request\'s last rule write took effect unrecorded; recorded it before planning', { kind: pending.kind, split: describeSplit(pending.split) });
  }
  return settled.state;
}

/**
 * Plan a new request from the last known state: FIRST when nothing is live (always for a
 * Create), CONVERGE when the requested generation is already live, REVERT when it is the
 * previous one and still exists (CloudFormation rolling back a release that succeeded),
 * RELEASE otherwise.
 */
export function planRequest(request: ReleaseRequest, config: ReleaseConfig, stored: ReleaseState | undefined): ReleaseState {
  const t = now();
  const target = config.generation;
  const carried = request.RequestType === 'Create' ? undefined : stored;
  const common = {
    version: 1 as const,
    owner: request.PhysicalResourceId ?? '',
    deploymentId: request.RequestId,
    superseded: stored ? [...stored.superseded, stored.deploymentId].slice(-SUPERSEDED_KEPT) : [],
    listenerArn: config.listenerArn,
    ruleArn: carried?.ruleArn,
    testRuleArn: carried?.testRuleArn,
    written: carried?.written,
    live: carried?.live,
    liveSince: carried?.liveSince,
    previous: carried?.previous,
    step: -1,
    // The deadline counts from when CloudFormation started waiting, not from the first poll
    // that got through.
    startedAt: Math.min(t, request.RequestedAt ?? t),
    phaseAt: t,
  };
  if (!common.live) {
    return { ...common, mode: 'FIRST', phase: 'SIZING', candidate: target, previous: undefined };
  }
  if (sameGeneration(common.live, target)) {
    return { ...common, mode: 'CONVERGE', phase: 'COMMITTING' };
  }
  if (sameGeneration(common.previous, target)) {
    return { ...common, mode: 'REVERT', phase: 'SIZING', candidate: target };
  }
  return { ...common, mode: 'RELEASE', phase: 'SIZING', candidate: target };
}

/**
 * An Update found no state (the parameter was deleted by hand, say). If the rule at the
 * deployment's priority forwards only to the old properties' generation, that generation is
 * live; otherwise the release starts as a first one.
 */
async function recoverState(request: ReleaseRequest, config: ReleaseConfig): Promise<ReleaseState | undefined> {
  const old = request.OldResourceProperties?.Generation as Record<string, unknown> | undefined;
  if (typeof old?.Key !== 'string' || typeof old.TargetGroupArn !== 'string' || typeof old.AutoScalingGroupName !== 'string') {
    return undefined;
  }
  const rule = await findRuleAtPriority(config.listenerArn, config.priority);
  if (!rule || !forwardsOnlyTo(rule.split, old.TargetGroupArn)) {
    return undefined;
  }
  log.warn('release state missing; recovered the live generation from the listener rule', { ruleArn: rule.arn, liveGeneration: old.Key });
  const t = now();
  return {
    version: 1,
    owner: request.PhysicalResourceId ?? '',
    deploymentId: 'recovered',
    superseded: [],
    mode: 'CONVERGE',
    phase: 'COMMITTED',
    live: { key: old.Key, targetGroupArn: old.TargetGroupArn, autoScalingGroupName: old.AutoScalingGroupName },
    listenerArn: config.listenerArn,
    ruleArn: rule.arn,
    written: rule.split,
    step: -1,
    startedAt: t,
    phaseAt: t,
  };
}
