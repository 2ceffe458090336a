import { Stack, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct, Node } from 'constructs';
import { invalidProp } from '../private/errors';
import { canonicalJson } from '../private/hash';
import { referenceIdentity } from '../private/stable-identity';
import { PRIORITY_RANGE } from '../release-contract/limits';

/** Priorities claimed by deployments, per listener, per app (keyed by the construct tree's root). */
const claims = new WeakMap<IConstruct, Map<string, Map<number, string>>>();

/**
 * A key for a listener that is equal for every reference to it in one app: its ARN when
 * that is fixed at synth time (an imported listener), else the listener construct's path.
 */
function listenerKey(scope: IConstruct, listener: elbv2.IApplicationListener): string {
  return referenceIdentity(scope, listener.listenerArn, listener);
}

/**
 * Claims `priority` on `listener` for the deployment `scope`; fails synth when the priority
 * is out of range or another deployment in the app has it.
 */
export function claimPriority(scope: IConstruct, listener: elbv2.IApplicationListener, priority: number): void {
  if (Token.isUnresolved(priority)) {
    return; // a deploy-time priority is checked by the load balancer when the rule is created
  }
  if (!Number.isInteger(priority) || priority < PRIORITY_RANGE.min || priority > PRIORITY_RANGE.max) {
    invalidProp(scope, 'priority', priority, `a listener rule priority is a whole number from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}`,
      `Give a priority from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max} that no other rule on the listener uses`);
  }
  const root = Node.of(scope).root;
  const byListener = claims.get(root) ?? new Map<string, Map<number, string>>();
  claims.set(root, byListener);
  const key = listenerKey(scope, listener);
  const taken = byListener.get(key) ?? new Map<number, string>();
  byListener.set(key, taken);
  const owner = taken.get(priority);
  if (owner !== undefined && owner !== scope.node.path) {
    invalidProp(scope, 'priority', priority, `the ImmutableDeployment ${owner} already uses priority ${priority} on the same listener, and a listener's rule priorities are unique`,
      `Give this deployment another priority, for example ${nextFree(taken, priority)}`);
  }
  taken.set(priority, scope.node.path);
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
