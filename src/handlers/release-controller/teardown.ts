import { deleteRule, findRuleAtPriority } from './aws/listener-rule';
import { StateLease } from './aws/state-store';
import { publishStep } from './aws/step-events';
import { controllerEnvironment } from './environment';
import { ReleaseFailure, describeError } from './errors';
import { log } from './log';
import { parseDeleteProperties } from './properties';
import type { IsCompleteResponse, ReleaseRequest } from './request';
import { parseState, type ReleaseState } from './state';
import { referencedTargetGroups } from './traffic';

/**
 * Delete: remove the rule and the test listener's rule (CloudFormation deletes the target groups next, and cannot while a
 * rule references them) and the state, under the deployment's lease like any poll. Leaves
 * both alone when the state belongs to another release resource, so a replaced resource's
 * Delete cannot pull traffic from its successor.
 */
export async function deleteRelease(request: ReleaseRequest): Promise<IsCompleteResponse> {
  const config = parseDeleteProperties(request.ResourceProperties);
  const lease = config.deploymentName
    ? await StateLease.open(controllerEnvironment().stateTable, config.deploymentName, request.RequestId)
    : undefined;
  let state: ReleaseState | 'foreign' | undefined;
  try {
    state = lease && config.deploymentName ? ownState(config.deploymentName, lease.storedValue) : undefined;
    if (state === 'foreign') {
      log.warn('release state belongs to another release resource; leaving the rule and the state alone', { deploymentName: config.deploymentName });
      await lease?.finish();
      return { IsComplete: true };
    }
    const ruleArn = state?.ruleArn ?? await findLeftoverRule(config.listenerArn, config.priority, config.targetGroupArns);
    const testRuleArn = state?.testRuleArn ?? await findLeftoverRule(config.testListenerArn, config.priority, config.targetGroupArns);
    // The rules go under the lease, like any write a poll makes.
    await lease?.hold();
    const ruleDeleted = ruleArn ? await deleteRule(ruleArn) : false;
    if (testRuleArn) {
      await deleteRule(testRuleArn);
    }
    // Taking the lease made an item if there was none: delete it either way.
    await lease?.deleteItem();
    log.info('release resource deleted', { ruleArn, ruleDeleted, testRuleArn, stateDeleted: state !== undefined });
    await publishStep({
      deploymentName: config.deploymentName ?? '',
      deploymentId: request.RequestId,
      step: 'DELETED',
      liveGeneration: state?.live?.key,
      message: ruleArn ? `rule ${ruleArn} ${ruleDeleted ? 'deleted' : 'was already gone'}` : 'no rule to delete',
      ...(ruleArn ? { ruleArn } : {}),
    });
    return { IsComplete: true };
  } finally {
    // Gives the lease up if the delete stopped before its item was deleted (a no-op after).
    await lease?.finish();
  }

  function ownState(deploymentName: string, value: string | undefined): ReleaseState | 'foreign' | undefined {
    let stored: ReleaseState | undefined;
    try {
      stored = parseState(deploymentName, value);
    } catch (error) {
      if (error instanceof ReleaseFailure) {
        // Not release state at all: not ours to delete.
        return 'foreign';
      }
      throw error;
    }
    return stored && stored.owner !== request.PhysicalResourceId ? 'foreign' : stored;
  }
}

/**
 * Without state (a Create that failed before saving any), the rule at the priority is ours
 * only if it forwards to nothing but this resource's target groups.
 */
async function findLeftoverRule(
  listenerArn: string | undefined,
  priority: number | undefined,
  targetGroupArns: string[],
): Promise<string | undefined> {
  if (!listenerArn || priority === undefined || targetGroupArns.length === 0) {
    return undefined;
  }
  try {
    const rule = await findRuleAtPriority(listenerArn, priority);
    const own = new Set(targetGroupArns);
    return rule?.split && referencedTargetGroups(rule.split).every((arn) => own.has(arn)) ? rule.arn : undefined;
  } catch (error) {
    if (error instanceof ReleaseFailure) {
      log.info('listener is gone; no rule to delete', { listenerArn, error: describeError(error) });
      return undefined;
    }
    throw error;
  }
}
