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
  for (const condition of raw) {
    checkValues(scope, raw, condition);
  }
  if (wildcardCount > MAX_WILDCARDS_PER_RULE) {
    invalidProp(scope, 'conditions', describe(raw),
      `the rule's values hold ${wildcardCount} wildcards ('*' or '?'), and a rule takes at most ${MAX_WILDCARDS_PER_RULE} (${SOURCE})`,
      `Use at most ${MAX_WILDCARDS_PER_RULE} wildcards across the host-header, http-header, path-pattern and query-string values`);
  }
}

/*
 * What each value may be, from the Elastic Load Balancing API reference
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HostHeaderConditionConfig.html
 * and the PathPattern, HttpHeader and SourceIp condition configs beside it): host names, path
 * patterns and header values are at most 128 characters; a host name must "include at least one
 * "." character" and "only alphabetical characters after the final "." character"; a header
 * name is at most 40 characters and "Wildcards are not supported"; source IPs are CIDR blocks.
 * Literal values only: tokens are known at deploy time.
 */
const MAX_VALUE_LENGTH = 128;
const MAX_HEADER_NAME_LENGTH = 40;
const HOST = /\.[A-Za-z]+$/;
const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9A-Fa-f:]+\/\d{1,3})$/;

function checkValues(scope: IConstruct, all: readonly RawCondition[], condition: RawCondition): void {
  const field = String(condition.field);
  const config = Object.entries(condition).find(([key]) => key.endsWith('Config'))?.[1] as { values?: unknown; httpHeaderName?: unknown } | undefined;
  const values = Array.isArray(config?.values) ? config!.values.filter((v): v is string => typeof v === 'string' && !Token.isUnresolved(v)) : [];
  const refuse = (value: string, problem: string, fix: string) =>
    invalidProp(scope, 'conditions', describe(all), `the ${field} value '${value}' ${problem} (${SOURCE_OF_VALUES})`, fix);
  for (const value of values) {
    if (field !== 'source-ip' && value.length > MAX_VALUE_LENGTH) {
      refuse(`${value.slice(0, 40)}...`, `is ${value.length} characters, and a value is at most ${MAX_VALUE_LENGTH}`, 'Give a shorter value, or a wildcard');
    }
    if (field === 'host-header' && !HOST.test(value)) {
      refuse(value, 'is not a host name with a \'.\' and letters after the last one', 'Give a host such as \'www.example.com\' or \'*.example.com\'');
    }
    if (field === 'source-ip' && !CIDR.test(value)) {
      refuse(value, 'is not in CIDR format', 'Give an address block such as \'10.0.0.0/16\' or \'203.0.113.7/32\'');
    }
  }
  const header = config?.httpHeaderName;
  if (field === 'http-header' && typeof header === 'string' && !Token.isUnresolved(header) && (header.length > MAX_HEADER_NAME_LENGTH || /[*?]/.test(header))) {
    refuse(header, `is not a header name of at most ${MAX_HEADER_NAME_LENGTH} characters without wildcards`, 'Give the header\'s exact name, such as \'X-Canary\'');
  }
}

const SOURCE_OF_VALUES = 'Elastic Load Balancing API reference, https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RuleCondition.html';

function describe(raw: readonly RawCondition[]): string {
  return raw.map((c) => c.field).join(', ');
}

function helper(field: string): string {
  return ({ 'host-header': 'hostHeaders', 'http-request-method': 'httpRequestMethods', 'path-pattern': 'pathPatterns', 'source-ip': 'sourceIps' } as Record<string, string>)[field] ?? field;
}
