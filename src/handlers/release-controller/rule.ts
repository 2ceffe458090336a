import {
  CreateRuleCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  ModifyRuleCommand,
  SetRulePrioritiesCommand,
  type Rule,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { aws } from './aws';
import { ReleaseFailure, describeError, hasErrorName } from './errors';
import { splitFromActions, splitToActions, type TrafficSplit } from './traffic';

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

/** Create the rule; a priority clash or a missing listener or target group fails the release. */
export async function createRule(listenerArn: string, priority: number, conditions: RuleCondition[], split: TrafficSplit): Promise<ObservedRule> {
  try {
    const out = await aws().elbv2.send(new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: priority,
      Conditions: conditions,
      Actions: splitToActions(split),
    }));
    const rule = out.Rules?.[0];
    if (!rule?.RuleArn) {
      throw new ReleaseFailure(`CreateRule on ${listenerArn} returned no rule`);
    }
    return observe(rule);
  } catch (error) {
    if (hasErrorName(error, 'PriorityInUseException')) {
      throw new ReleaseFailure(`priority ${priority} on listener ${listenerArn} is taken by a rule this deployment does not own; give the deployment a free priority (${describeError(error)})`);
    }
    if (hasErrorName(error, 'ListenerNotFoundException', 'TargetGroupNotFoundException', 'TooManyRulesException', 'TooManyTargetGroupsException', 'TargetGroupAssociationLimitException', 'ValidationError', 'InvalidConfigurationRequestException')) {
      throw new ReleaseFailure(`cannot create the listener rule on ${listenerArn}: ${describeError(error)}`);
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
