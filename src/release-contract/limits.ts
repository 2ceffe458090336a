/**
 * The AWS limits the construct checks at synth and the release controller checks again on
 * the properties it receives: one copy of each, so the two can never disagree.
 */

/**
 * Listener rule priorities run from 1 (evaluated first) to 50000.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RulePriorityPair.html
 */
export const PRIORITY_RANGE = { min: 1, max: 50_000 } as const;

/**
 * Target group stickiness on a weighted forward action lasts 1 second to 7 days.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupStickinessConfig.html
 */
export const MAX_STICKINESS_SECONDS = 604_800;

/** A target group's deregistration delay runs from 0 to 3600 seconds. */
export const MAX_DEREGISTRATION_SECONDS = 3600;

/**
 * A deployment's name is part of its release's physical id, `immutable-release:<name>:<12 hex
 * digits>`, which the controller also puts on the listener rule as a tag value; an Elastic
 * Load Balancing tag value is at most 256 characters
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Tag.html).
 */
export const MAX_DEPLOYMENT_NAME_LENGTH = 256 - 'immutable-release:'.length - ':'.length - 12;

/** Auto Scaling's own ceiling on a group's MaxSize is far above this; it only catches typos. */
export const MAX_GROUP_SIZE = 10_000;

/**
 * CloudFormation waits at most one hour for a custom resource (ServiceTimeout 1 to 3600 s,
 * default 3600), and a release is one custom resource update.
 */
export const CUSTOM_RESOURCE_LIMIT_SECONDS = 3600;

/**
 * What an Application Load Balancer takes in one listener rule's conditions.
 *
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
 * ("Condition basics"): each rule may have at most one each of host-header,
 * http-request-method, path-pattern and source-ip; up to three match evaluations per
 * condition; up to five match evaluations per rule; wildcards in http-header, host-header,
 * path-pattern and query-string values, up to five per rule.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 * (Rules): condition values per rule 5, condition wildcards per rule 5, match evaluations per
 * rule 5, none adjustable.
 */
export const RULE_CONDITION_LIMITS = {
  evaluationsPerCondition: 3,
  evaluationsPerRule: 5,
  wildcardsPerRule: 5,
  atMostOnce: ['host-header', 'http-request-method', 'path-pattern', 'source-ip'],
  withWildcards: ['host-header', 'http-header', 'path-pattern', 'query-string'],
  source: 'Application Load Balancer quotas, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
} as const;
