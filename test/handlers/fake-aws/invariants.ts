import type { RuleRecord } from './elbv2';
import { referencedGroups, trafficShares } from './elbv2';
import type { FakeAws } from './fake-aws';
import { MAX_STATE_LENGTH, type ReleaseState } from '../../../src/handlers/release-controller/state';
import { WARM_UP_HEADER } from '../../../src/release-contract/events';

/** How a poll ended, as the harness saw it. */
export type PollOutcome = 'waiting' | 'complete' | 'failed' | 'crashed';

/** What an invariant sees after a poll. */
export interface InvariantContext {
  readonly fake: FakeAws;
  readonly tick: number;
  readonly requestId: string;
  readonly listenerArn: string;
  readonly priority: number;
  /** The deployment's key in the state table. */
  readonly stateKey: string;
  readonly outcome: PollOutcome;
  /**
   * The poll was cut short by injected transient faults (not counting event publishing,
   * which never stops a poll): a call failed every attempt the SDK made, so the controller
   * could not act in this poll, and reacts in the next one that gets through.
   */
  readonly cutShort?: boolean;
  /** The release state before the drive started. */
  readonly initialState?: ReleaseState;
  /**
   * The target group the deployment's rule forwarded to alone when the drive started, if
   * any: the generation that had all traffic, even where the state does not know it yet (a
   * cutover written by a Lambda that died before saving it).
   */
  readonly initialSoleTarget?: string;
  /** Percent of traffic per target group the deployment's rule gave when the drive started. */
  readonly initialShares?: ReadonlyMap<string, number>;
  /** Desired capacity of the initially live generation's group before the drive started. */
  readonly initialLiveDesired?: number;
  /** When the drive started (simulated ms). */
  readonly startedAt: number;
  /** Scratch space that lives for one drive, for invariants that remember earlier ticks. */
  readonly memory: Map<string, unknown>;
}

/** Returns a description of the violation, or undefined when the invariant holds. */
export interface Invariant {
  readonly name: string;
  check(context: InvariantContext): string | undefined;
}

/** The deployment's rule: the one the state names, else the one at its priority. */
export function deploymentRule(context: InvariantContext): RuleRecord | undefined {
  const state = context.fake.releaseState(context.stateKey);
  return (state?.ruleArn ? context.fake.elbv2.rule(state.ruleArn) : undefined)
    ?? context.fake.elbv2.ruleAtPriority(context.listenerArn, context.priority);
}

function isWarmUp(rule: RuleRecord): boolean {
  return rule.conditions.some((c) => c.Field === 'http-header' && c.HttpHeaderConfig?.HttpHeaderName === WARM_UP_HEADER);
}

function describeShares(rule: RuleRecord): string {
  return [...trafficShares(rule.actions)].map(([arn, share]) => `${arn.split('/')[1]} ${share} %`).join(', ');
}

function forwardsOnlyToGroup(rule: RuleRecord | undefined, targetGroupArn: string): boolean {
  if (!rule) {
    return false;
  }
  const groups = referencedGroups(rule.actions);
  return groups.length === 1 && groups[0] === targetGroupArn && (trafficShares(rule.actions).get(targetGroupArn) ?? 0) === 100;
}

/**
 * Traffic (weight above 0) never goes to a target group without a healthy target, checked
 * after every poll that ran its course (a group can lose its targets between polls; the
 * next poll that gets through must take its traffic away).
 */
export const noTrafficToEmptyTargetGroup: Invariant = {
  name: 'no traffic to a target group with zero healthy targets',
  check(context) {
    const rule = deploymentRule(context);
    // A warm-up rule matches no request, so it carries no traffic.
    if (!rule || isWarmUp(rule)) {
      return undefined;
    }
    const shares = trafficShares(rule.actions);
    const before = (context.memory.get('noTrafficToEmptyTargetGroup.shares') as Map<string, number> | undefined) ?? context.initialShares ?? new Map<string, number>();
    context.memory.set('noTrafficToEmptyTargetGroup.shares', shares);
    const healthyElsewhere = (arn: string) => [...shares.keys()].some((other) => other !== arn && context.fake.elbv2.healthyCount(other) > 0);
    for (const [arn, share] of shares) {
      // A group that lost its targets while it had this share, with no healthy group in the
      // rule to move it to (after a cutover, or while a revert waits for the old group's
      // checks): the world's doing, and nowhere better to send the traffic.
      const stranded = share <= (before.get(arn) ?? 0) && !healthyElsewhere(arn);
      if (share > 0 && context.fake.elbv2.healthyCount(arn) === 0 && !context.cutShort && !stranded) {
        const targets = context.fake.elbv2.targetGroups.has(arn) ? context.fake.elbv2.health(arn) : [];
        return `${share} % of traffic goes to ${arn}, which has no healthy target (${JSON.stringify(targets)}); rule: ${describeShares(rule)}`;
      }
    }
    return undefined;
  },
};

/**
 * Once a release has failed (state RESTORING or FAILED, or the poll threw), the generation
 * that was live gets all traffic back no later than the next poll (the next that gets
 * through, when faults cut polls short).
 */
export const restoredWithinOneTick: Invariant = {
  name: 'after a failure the old generation has 100 % within one tick',
  check(context) {
    const state = context.fake.releaseState(context.stateKey);
    const live = context.initialState?.live;
    if (!live) {
      return undefined;
    }
    const failedInState = state?.deploymentId === context.requestId && state.mode !== 'FIRST' && (state.phase === 'RESTORING' || state.phase === 'FAILED');
    if (!failedInState && context.outcome !== 'failed') {
      return undefined;
    }
    const firstSeen = (context.memory.get('failureTick') as number | undefined) ?? context.tick;
    context.memory.set('failureTick', firstSeen);
    const due = context.outcome === 'failed' || context.tick > firstSeen;
    const rule = deploymentRule(context);
    const old = context.initialSoleTarget ?? live.targetGroupArn;
    if (due && !forwardsOnlyToGroup(rule, old) && !context.cutShort) {
      return `the release failed at tick ${firstSeen} but at tick ${context.tick} the rule forwards ${rule ? describeShares(rule) : 'nothing (it is gone)'} instead of 100 % to ${old.split('/')[1]}`;
    }
    return undefined;
  },
};

/** The controller never scales down, deregisters or deletes the generation that was live. */
export const oldGenerationKept: Invariant = {
  name: 'the old generation is never scaled down or deleted by the controller',
  check(context) {
    const live = context.initialState?.live;
    if (!live) {
      return undefined;
    }
    const group = context.fake.autoScaling.groups.get(live.autoScalingGroupName);
    if (!group) {
      return `the old generation's Auto Scaling group ${live.autoScalingGroupName} is gone`;
    }
    if (!context.fake.elbv2.targetGroups.has(live.targetGroupArn)) {
      return `the old generation's target group ${live.targetGroupArn} is gone`;
    }
    // Only the calls since the last check: the ones before were checked then.
    const from = (context.memory.get('oldGenerationKept.checked') as number | undefined) ?? 0;
    context.memory.set('oldGenerationKept.checked', context.fake.calls.length);
    const shrink = context.fake.calls.slice(from).find((call) => {
      if (call.at < context.startedAt || call.outcome !== 'ok') {
        return false;
      }
      const input = call.input as { AutoScalingGroupName?: string; DesiredCapacity?: number; MaxSize?: number };
      if (input.AutoScalingGroupName !== live.autoScalingGroupName) {
        return false;
      }
      const lowered = (n: number | undefined) => n !== undefined && n < (context.initialLiveDesired ?? 0);
      return /DeleteAutoScalingGroup|TerminateInstance|DetachInstances/.test(call.operation)
        || lowered(input.DesiredCapacity) || lowered(input.MaxSize);
    });
    return shrink ? `the controller called ${shrink.operation} ${JSON.stringify(shrink.input)} on the old generation` : undefined;
  },
};

/** When the request is done (complete or failed), the rule forwards to one target group, no stickiness. */
export const singleTargetWhenSettled: Invariant = {
  name: 'a settled rule forwards to a single target group',
  check(context) {
    if (context.outcome !== 'complete' && context.outcome !== 'failed') {
      return undefined;
    }
    const rule = deploymentRule(context);
    if (!rule) {
      return undefined;
    }
    const groups = referencedGroups(rule.actions);
    const sticky = rule.actions.some((a) => a.ForwardConfig?.TargetGroupStickinessConfig?.Enabled);
    return groups.length === 1 && !sticky ? undefined : `the ${context.outcome} request left the rule forwarding ${describeShares(rule)}${sticky ? ' with stickiness' : ''}`;
  },
};

/** The stored state stays readable, within its bound, and the lease is never left held after a poll that ran its course. */
export const stateReadable: Invariant = {
  name: 'the release state stays readable',
  check(context) {
    const value = context.fake.stateValue(context.stateKey);
    if (value === undefined) {
      return undefined;
    }
    if (value.length > MAX_STATE_LENGTH) {
      return `state is ${value.length} characters, over its bound of ${MAX_STATE_LENGTH}`;
    }
    try {
      const state = JSON.parse(value) as ReleaseState;
      return state.version === 1 ? undefined : `state version ${String(state.version)}`;
    } catch (error) {
      return `state is not JSON: ${String(error)}`;
    }
  },
};

/**
 * With a verify hook in the account, production traffic (weight above 0 on the deployment's
 * rule, warm-up rules aside) goes only to a generation that was live or previous when the
 * request began, or one the hook answered PASS for, as the fake's Lambda delivered it: read
 * from what the hook said, not from what the controller recorded.
 */
export const noTrafficBeforeVerified: Invariant = {
  name: 'no production traffic to a new generation before the verify hook passes it',
  check(context) {
    if (context.fake.lambda.functions.size === 0) {
      return undefined;
    }
    const rule = deploymentRule(context);
    if (!rule || isWarmUp(rule)) {
      return undefined;
    }
    const known = new Set([context.initialState?.live?.targetGroupArn, context.initialState?.previous?.targetGroupArn, context.initialSoleTarget]);
    const passed = context.fake.lambda.passedTargetGroups();
    for (const [arn, share] of trafficShares(rule.actions)) {
      if (share > 0 && !known.has(arn) && !passed.has(arn)) {
        return `${share} % of production traffic goes to ${arn}, which the verify hook has not passed; rule: ${describeShares(rule)}`;
      }
    }
    return undefined;
  },
};

/** Checked after every poll unless a drive says otherwise. */
export const STANDARD_INVARIANTS: readonly Invariant[] = [
  noTrafficToEmptyTargetGroup,
  noTrafficBeforeVerified,
  restoredWithinOneTick,
  oldGenerationKept,
  singleTargetWhenSettled,
  stateReadable,
];
