import { Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';
import { canonicalJson } from '../private/hash';
import { referenceIdentity } from '../private/stable-identity';
import { PRIORITY_RANGE } from '../release-contract/limits';

/** A deployment's rule priority on a listener, as other deployments of the app see it. */
export interface ListenerClaim {
  /** The listener's identity, equal for every reference to it in one app (see listenerKey). */
  readonly listener: string;
  readonly priority: number;
  /** The deployment's construct path, for messages. */
  readonly owner: string;
}

/**
 * A key for a listener that is equal for every reference to it in one app: its ARN when
 * that is fixed at synth time (an imported listener), else the listener construct's path.
 */
function listenerKey(scope: IConstruct, listener: elbv2.IApplicationListener): string {
  return referenceIdentity(scope, listener.listenerArn, listener);
}

/**
 * The claim of deployment `scope` to `priority` on `listener`; fails synth when the priority is
 * out of range or one of `others` (the claims of the app's other deployments) has it. Undefined
 * for a deploy-time priority, which the load balancer checks when the rule is created.
 */
export function claimPriority(
  scope: IConstruct, listener: elbv2.IApplicationListener, priority: number, others: Iterable<ListenerClaim>,
): ListenerClaim | undefined {
  if (Token.isUnresolved(priority)) {
    return undefined;
  }
  if (!Number.isInteger(priority) || priority < PRIORITY_RANGE.min || priority > PRIORITY_RANGE.max) {
    invalidProp(scope, 'priority', priority, `a listener rule priority is a whole number from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}`,
      `Give a priority from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max} that no other rule on the listener uses`);
  }
  const claim: ListenerClaim = { listener: listenerKey(scope, listener), priority, owner: scope.node.path };
  const taken = new Map<number, string>();
  for (const other of others) {
    if (other.listener === claim.listener && other.owner !== claim.owner) {
      taken.set(other.priority, other.owner);
    }
  }
  const owner = taken.get(priority);
  if (owner !== undefined) {
    invalidProp(scope, 'priority', priority, `the ImmutableDeployment ${owner} already uses priority ${priority} on the same listener, and a listener's rule priorities are unique`,
      `Give this deployment another priority, for example ${nextFree(taken, priority)}`);
  }
  return claim;
}

/**
 * Problems with CDK-defined listener rules (AWS::ElasticLoadBalancingV2::ListenerRule) in the
 * listener's stack that have the deployment's priority on the same listener; for validation,
 * which runs once every rule of the app exists.
 */
export function clashingListenerRules(listener: elbv2.IApplicationListener, priority: number): string[] {
  const stack = Stack.of(listener);
  const listenerArn = canonicalJson(stack.resolve(listener.listenerArn));
  const problems: string[] = [];
  for (const child of stack.node.findAll()) {
    if (!(child instanceof elbv2.CfnListenerRule)) {
      continue;
    }
    const sameListener = canonicalJson(stack.resolve(child.listenerArn)) === listenerArn;
    if (sameListener && stack.resolve(child.priority) === priority) {
      problems.push(`invalid priority ${priority}: the listener rule ${child.node.path} has the same priority on the same listener, `
        + 'and a listener\'s rule priorities are unique. Give this deployment, or that rule, another priority');
    }
  }
  return problems;
}

function nextFree(taken: Map<number, string>, from: number): number {
  for (let p = from + 1; p <= PRIORITY_RANGE.max; p++) {
    if (!taken.has(p)) {
      return p;
    }
  }
  for (let p = from - 1; p >= PRIORITY_RANGE.min; p--) {
    if (!taken.has(p)) {
      return p;
    }
  }
  return from;
}
