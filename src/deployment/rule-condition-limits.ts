import { Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';
import { RULE_CONDITION_LIMITS } from '../release-contract/limits';

/*
 * What an Application Load Balancer takes in one listener rule's conditions. Without this
 * check a rule over a limit fails only when the release controller activates it, after the
 * new fleet is up and healthy (CreateRule/ModifyRule answer ValidationError).
 *
 * The limits themselves, with the AWS pages that state them, are in
 * src/release-contract/limits.ts (RULE_CONDITION_LIMITS).
 */
const {
  evaluationsPerCondition: MAX_EVALUATIONS_PER_CONDITION,
  evaluationsPerRule: MAX_EVALUATIONS_PER_RULE,
  wildcardsPerRule: MAX_WILDCARDS_PER_RULE,
  source: SOURCE,
} = RULE_CONDITION_LIMITS;
const AT_MOST_ONCE: readonly string[] = RULE_CONDITION_LIMITS.atMostOnce;
const WITH_WILDCARDS: readonly string[] = RULE_CONDITION_LIMITS.withWildcards;

/** One condition as CloudFormation renders it (`renderRawCondition`). */
interface RawCondition {
  readonly field?: string;
  readonly [config: string]: unknown;
}

/** The strings one condition compares, tokens included (each still counts as one). */
function matchStrings(raw: RawCondition): unknown[] | undefined {
  const config = Object.entries(raw).find(([key]) => key.endsWith('Config'))?.[1] as { values?: unknown; regexValues?: unknown } | undefined;
  const lists = [config?.values, config?.regexValues, raw.values].filter((v) => v !== undefined);
  if (lists.some((list) => !Array.isArray(list))) {
    // A whole list given as a token: its length is not known at synth.
    return undefined;
  }
  // A query-string key/value pair is one evaluation.
  return lists.flatMap((list) => list as unknown[]);
}

function wildcards(value: unknown): number {
  const strings = typeof value === 'object' && value !== null
    ? [(value as { key?: unknown }).key, (value as { value?: unknown }).value]
    : [value];
  return strings
    .filter((s): s is string => typeof s === 'string' && !Token.isUnresolved(s))
    .reduce((sum, s) => sum + (s.match(/[*?]/g)?.length ?? 0), 0);
}

/**
 * Refuse, at synth, listener rule conditions an Application Load Balancer would refuse.
 * Values that are tokens count as one match evaluation each; their wildcards are not counted.
 */
export function checkRuleConditions(scope: IConstruct, conditions: readonly elbv2.ListenerCondition[] | undefined): void {
  const raw = (conditions ?? []).map((c) => c.renderRawCondition() as RawCondition);
  const fields = raw.map((c) => String(c.field));
  for (const field of AT_MOST_ONCE) {
    const count = fields.filter((f) => f === field).length;
    if (count > 1) {
      invalidProp(scope, 'conditions', describe(raw), `${count} ${field} conditions, and a rule takes at most one (${SOURCE})`,
        `Give one ${field} condition with all its values, for example elbv2.ListenerCondition.${helper(field)}([...])`);
    }
  }
  let evaluations = 0;
  let wildcardCount = 0;
  const perField: string[] = [];
  for (const condition of raw) {
    const strings = matchStrings(condition);
    if (strings === undefined) {
      return;
    }
    if (strings.length > MAX_EVALUATIONS_PER_CONDITION) {
      invalidProp(scope, 'conditions', describe(raw),
        `the ${condition.field} condition compares ${strings.length} values, and a condition takes at most ${MAX_EVALUATIONS_PER_CONDITION} (${SOURCE})`,
        `Keep at most ${MAX_EVALUATIONS_PER_CONDITION} values per condition (a wildcard such as '*.example.com' can stand for several), or serve the rest from a rule of your own`);
    }
    evaluations += strings.length;
    perField.push(`${condition.field} ${strings.length}`);
    if (WITH_WILDCARDS.includes(String(condition.field))) {
      wildcardCount += strings.reduce<number>((sum, s) => sum + wildcards(s), 0);
    }
  }
  if (evaluations > MAX_EVALUATIONS_PER_RULE) {
    invalidProp(scope, 'conditions', describe(raw),
      `the rule would compare ${evaluations} values (${perField.join(', ')}), and a rule takes at most ${MAX_EVALUATIONS_PER_RULE} across its conditions (${SOURCE})`,
      `Drop conditions the deployment does not need (a listener of its own needs none), or use fewer values: at most ${MAX_EVALUATIONS_PER_RULE} in all`);
  }
  if (wildcardCount > MAX_WILDCARDS_PER_RULE) {
    invalidProp(scope, 'conditions', describe(raw),
      `the rule's values hold ${wildcardCount} wildcards ('*' or '?'), and a rule takes at most ${MAX_WILDCARDS_PER_RULE} (${SOURCE})`,
      `Use at most ${MAX_WILDCARDS_PER_RULE} wildcards across the host-header, http-header, path-pattern and query-string values`);
  }
}

function describe(raw: readonly RawCondition[]): string {
  return raw.map((c) => c.field).join(', ');
}

function helper(field: string): string {
  return ({ 'host-header': 'hostHeaders', 'http-request-method': 'httpRequestMethods', 'path-pattern': 'pathPatterns', 'source-ip': 'sourceIps' } as Record<string, string>)[field] ?? field;
}
