import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
  type Rule,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { aws } from './clients';
import { CONTROLLER_TAG_KEY, RELEASE_TAG_KEY } from '../../../release-contract/release-properties';
import { sameConditions } from '../conditions';
import { ReleaseFailure, describeError, hasErrorName } from '../errors';
import { log } from '../log';
import { describeSplit, sameSplit, splitFromActions, splitToActions, type TrafficSplit } from '../traffic';

/** Who creates a rule: the tags that prove a rule at the deployment's priority is its own. */
export interface RuleOwner {
  /** The release resource's physical id (RELEASE_TAG_KEY). */
  readonly releaseId: string;
  /** The controller's tag value (CONTROLLER_TAG_KEY): its IAM policy lets it change only rules with it. */
  readonly controllerTag: string;
}

/** The controller's listener rule as the load balancer reports it. */
export interface ObservedRule {
  readonly arn: string;
  readonly priority?: number;
  readonly conditions: RuleCondition[];
  /** Undefined when the rule's last action is not a forward. */
  readonly split?: TrafficSplit;
}

function observe(rule: Rule): ObservedRule {
  const priority = Number(rule.Priority);
  return {
    arn: rule.RuleArn ?? '',
    priority: Number.isInteger(priority) ? priority : undefined,
    conditions: rule.Conditions ?? [],
    split: splitFromActions(rule.Actions),
  };
}

/** A rule of someone else's holds the deployment's priority. */
export function priorityTaken(listenerArn: string, priority: number, rule: ObservedRule): ReleaseFailure {
  return new ReleaseFailure(`priority ${priority} on listener ${listenerArn} is taken by rule ${rule.arn}, which forwards ${describeSplit(rule.split)}; give the deployment a free priority`);
}

/** The rule, or undefined when it no longer exists. */
export async function describeRule(ruleArn: string): Promise<ObservedRule | undefined> {
  try {
    const out = await aws().elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }));
    const rule = out.Rules?.find((r) => r.RuleArn === ruleArn);
    return rule ? observe(rule) : undefined;
  } catch (error) {
    if (hasErrorName(error, 'RuleNotFoundException')) {
      return undefined;
    }
    throw error;
  }
}

/** The rule at `priority` on the listener, if any (pages through all of the listener's rules). */
export async function findRuleAtPriority(listenerArn: string, priority: number): Promise<ObservedRule | undefined> {
  let marker: string | undefined;
  do {
    let out;
    try {
      out = await aws().elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: 100 }));
    } catch (error) {
      if (hasErrorName(error, 'ListenerNotFoundException')) {
        throw new ReleaseFailure(`listener ${listenerArn} does not exist (${describeError(error)})`);
      }
      throw error;
    }
    const rule = out.Rules?.find((r) => r.Priority === String(priority));
    if (rule) {
      return observe(rule);
    }
    marker = out.NextMarker;
  } while (marker);
  return undefined;
}

/**
 * Create the rule, tagged with its owner; a priority clash or a missing listener or target
 * group fails the release.
 *
 * CreateRule is not idempotent and the SDK retries it (a timed-out or 5xx attempt that ELBv2
 * applied is sent again, and the retry meets PriorityInUse). A rule at the priority that
 * carries this release's tag and exactly the conditions and actions sent is what such an
 * attempt made: it is adopted, not reported as someone else's.
 */
export async function createRule(
  listenerArn: string,
  priority: number,
  conditions: RuleCondition[],
  split: TrafficSplit,
  owner: RuleOwner,
): Promise<ObservedRule> {
  try {
    const out = await aws().elbv2.send(new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: priority,
      Conditions: conditions,
      Actions: splitToActions(split),
      Tags: [{ Key: CONTROLLER_TAG_KEY, Value: owner.controllerTag }, { Key: RELEASE_TAG_KEY, Value: owner.releaseId }],
    }));
    const rule = out.Rules?.[0];
    if (!rule?.RuleArn) {
      throw new ReleaseFailure(`CreateRule on ${listenerArn} returned no rule`);
    }
    return observe(rule);
  } catch (error) {
    if (hasErrorName(error, 'PriorityInUseException')) {
      const earlier = await earlierAttempt(listenerArn, priority, conditions, split, owner);
      if (earlier) {
        log.info('CreateRule met its own earlier attempt (its response was lost); adopted the rule it made', { ruleArn: earlier.arn, priority });
        return earlier;
      }
      throw new ReleaseFailure(`priority ${priority} on listener ${listenerArn} is taken by a rule this deployment does not own; give the deployment a free priority (${describeError(error)})`);
    }
    if (hasErrorName(error, 'ListenerNotFoundException', 'TargetGroupNotFoundException', 'TooManyRulesException', 'TooManyTargetGroupsException',
      'TargetGroupAssociationLimitException', 'TooManyUniqueTargetGroupsPerLoadBalancerException', 'TooManyTagsException', 'ValidationError', 'InvalidConfigurationRequestException')) {
      throw new ReleaseFailure(`cannot create the listener rule on ${listenerArn}: ${describeError(error)}`);
    }
    throw error;
  }
}

/** The rule at `priority` if an earlier attempt of this very CreateRule made it. */
async function earlierAttempt(
  listenerArn: string,
  priority: number,
  conditions: RuleCondition[],
  split: TrafficSplit,
  owner: RuleOwner,
): Promise<ObservedRule | undefined> {
  const rule = await findRuleAtPriority(listenerArn, priority);
  if (!rule || !sameSplit(rule.split, split) || !sameConditions(rule.conditions, conditions)) {
    return undefined;
  }
  const tags = await ruleTags(rule.arn);
  return tags.get(RELEASE_TAG_KEY) === owner.releaseId && tags.get(CONTROLLER_TAG_KEY) === owner.controllerTag ? rule : undefined;
}

/** A rule's tags (empty when the rule is gone). */
export async function ruleTags(ruleArn: string): Promise<Map<string, string>> {
  try {
    const out = await aws().elbv2.send(new DescribeTagsCommand({ ResourceArns: [ruleArn] }));
    const description = out.TagDescriptions?.find((d) => d.ResourceArn === ruleArn);
    return new Map((description?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  } catch (error) {
    if (hasErrorName(error, 'RuleNotFoundException')) {
      return new Map();
    }
    throw error;
  }
}

/** Replace the rule's conditions and actions (ModifyRule takes whole lists). */
export async function modifyRule(ruleArn: string, conditions: RuleCondition[], split: TrafficSplit): Promise<void> {
  await aws().elbv2.send(new ModifyRuleCommand({ RuleArn: ruleArn, Conditions: conditions, Actions: splitToActions(split) }));
}

/** Move the rule to `priority`. */
export async function setRulePriority(ruleArn: string, priority: number): Promise<void> {
  try {
    await aws().elbv2.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: ruleArn, Priority: priority }] }));
  } catch (error) {
    // The SDK's retry of a move whose response was lost may find the rule already there.
    if (hasErrorName(error, 'PriorityInUseException') && (await describeRule(ruleArn))?.priority === priority) {
      return;
    }
    if (hasErrorName(error, 'PriorityInUseException')) {
      throw new ReleaseFailure(`cannot move rule ${ruleArn} to priority ${priority}: another rule has it (${describeError(error)})`);
    }
    throw error;
  }
}

/** Delete the rule; false when it was already gone. */
export async function deleteRule(ruleArn: string): Promise<boolean> {
  try {
    await aws().elbv2.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
    return true;
  } catch (error) {
    if (hasErrorName(error, 'RuleNotFoundException')) {
      return false;
    }
    throw error;
  }
}
