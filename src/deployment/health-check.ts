import { Duration, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { invalidProp } from '../private/errors';

/**
 * How the load balancer decides that an instance of a generation is healthy. A release only
 * moves traffic to a generation whose instances all pass it.
 */
export interface DeploymentHealthCheckOptions {
  /**
   * The HTTP path the load balancer requests.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * Time between two checks of one instance (5 to 300 seconds).
   *
   * @default Duration.seconds(10)
   */
  readonly interval?: Duration;

  /**
   * How long a check waits for an answer (2 to 120 seconds, shorter than the interval).
   *
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;

  /**
   * Consecutive passed checks that make an instance healthy (2 to 10).
   *
   * @default 2
   */
  readonly healthyThresholdCount?: number;

  /**
   * Consecutive failed checks that make an instance unhealthy (2 to 10).
   *
   * @default 2
   */
  readonly unhealthyThresholdCount?: number;

  /**
   * HTTP codes that count as a pass: a code, a list ('200,204') or a range ('200-299').
   *
   * @default '200'
   */
  readonly healthyHttpCodes?: string;

  /**
   * How long Auto Scaling ignores a new instance's failed load balancer checks while it boots,
   * before replacing it.
   *
   * @default Duration.minutes(5)
   */
  readonly gracePeriod?: Duration;
}

/**
 * The health check with defaults applied, in seconds. A type alias, not an interface, so that
 * jsii leaves this internal shape out of the public API.
 */
export type ResolvedHealthCheck = {
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThresholdCount: number;
  readonly unhealthyThresholdCount: number;
  readonly healthyHttpCodes: string;
  readonly gracePeriodSeconds: number;
};

// Defaults favour a quick warm-up: with 10 s and 2 passes an instance is healthy 20 s after
// its server answers, where the load balancer's own defaults (30 s, 5 passes) take 150 s.
const DEFAULTS = {
  path: '/',
  intervalSeconds: 10,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  healthyHttpCodes: '200',
  gracePeriodSeconds: 300,
};

// Limits of an ALB target group's health check (CloudFormation AWS::ElasticLoadBalancingV2::TargetGroup).
const LIMITS = {
  intervalSeconds: { min: 5, max: 300 },
  timeoutSeconds: { min: 2, max: 120 },
  thresholdCount: { min: 2, max: 10 },
};

/**
 * "For Application Load Balancers, you can specify values between 200 and 499"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Matcher.html).
 */
const HTTP_CODES = /^[2-4]\d\d(-[2-4]\d\d)?(,[2-4]\d\d(-[2-4]\d\d)?)*$/;

/** Applies defaults and checks the health check; token values are kept and not checked. */
export function resolveHealthCheck(scope: IConstruct, options: DeploymentHealthCheckOptions = {}): ResolvedHealthCheck {
  const resolved: ResolvedHealthCheck = {
    path: options.path ?? DEFAULTS.path,
    intervalSeconds: seconds(scope, 'healthCheck.interval', options.interval) ?? DEFAULTS.intervalSeconds,
    timeoutSeconds: seconds(scope, 'healthCheck.timeout', options.timeout) ?? DEFAULTS.timeoutSeconds,
    healthyThresholdCount: options.healthyThresholdCount ?? DEFAULTS.healthyThresholdCount,
    unhealthyThresholdCount: options.unhealthyThresholdCount ?? DEFAULTS.unhealthyThresholdCount,
    healthyHttpCodes: options.healthyHttpCodes ?? DEFAULTS.healthyHttpCodes,
    gracePeriodSeconds: seconds(scope, 'healthCheck.gracePeriod', options.gracePeriod) ?? DEFAULTS.gracePeriodSeconds,
  };
  validate(scope, resolved);
  return resolved;
}

/** The target group health check for a resolved health check. */
export function targetGroupHealthCheck(check: ResolvedHealthCheck, protocol: elbv2.Protocol): elbv2.HealthCheck {
  return {
    enabled: true,
    path: check.path,
    protocol,
    interval: Duration.seconds(check.intervalSeconds),
    timeout: Duration.seconds(check.timeoutSeconds),
    healthyThresholdCount: check.healthyThresholdCount,
    unhealthyThresholdCount: check.unhealthyThresholdCount,
    healthyHttpCodes: check.healthyHttpCodes,
  };
}

function seconds(scope: IConstruct, prop: string, duration: Duration | undefined): number | undefined {
  if (duration === undefined) {
    return undefined;
  }
  if (duration.isUnresolved()) {
    invalidProp(scope, prop, duration.toString(), 'health check timings feed the release schedule, which is checked at synth time',
      'Give a literal Duration');
  }
  const value = duration.toSeconds({ integral: false });
  if (!Number.isInteger(value)) {
    invalidProp(scope, prop, `${value} seconds`, 'the load balancer and Auto Scaling take whole seconds', 'Give a whole number of seconds');
  }
  return value;
}

function validate(scope: IConstruct, check: ResolvedHealthCheck): void {
  if (!Token.isUnresolved(check.path) && !check.path.startsWith('/')) {
    invalidProp(scope, 'healthCheck.path', check.path, 'the load balancer requests an absolute path', `Start the path with a slash: '/${check.path}'`);
  }
  inRange(scope, 'healthCheck.interval', check.intervalSeconds, LIMITS.intervalSeconds, 'seconds');
  inRange(scope, 'healthCheck.timeout', check.timeoutSeconds, LIMITS.timeoutSeconds, 'seconds');
  if (check.timeoutSeconds >= check.intervalSeconds) {
    invalidProp(scope, 'healthCheck.timeout', `${check.timeoutSeconds} seconds`, `it must be shorter than healthCheck.interval (${check.intervalSeconds} seconds)`,
      `Lower healthCheck.timeout below ${check.intervalSeconds} seconds, or raise healthCheck.interval`);
  }
  inRange(scope, 'healthCheck.healthyThresholdCount', check.healthyThresholdCount, LIMITS.thresholdCount, '');
  inRange(scope, 'healthCheck.unhealthyThresholdCount', check.unhealthyThresholdCount, LIMITS.thresholdCount, '');
  const codes = check.healthyHttpCodes;
  const backwards = (range: string) => range.includes('-') && Number(range.split('-')[0]) > Number(range.split('-')[1]);
  if (!Token.isUnresolved(codes) && (!HTTP_CODES.test(codes) || codes.split(',').some(backwards))) {
    invalidProp(scope, 'healthCheck.healthyHttpCodes', codes,
      'an Application Load Balancer takes HTTP codes from 200 to 499 as a code, a comma-separated list or a range (low to high)',
      "Give for example '200', '200,204' or '200-299'");
  }
  if (check.gracePeriodSeconds < 0) {
    invalidProp(scope, 'healthCheck.gracePeriod', `${check.gracePeriodSeconds} seconds`, 'a grace period cannot be negative', 'Give a Duration of zero or more');
  }
}

function inRange(scope: IConstruct, prop: string, value: number, limits: { min: number; max: number }, unit: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < limits.min || value > limits.max) {
    const shown = unit ? `${value} ${unit}` : value;
    invalidProp(scope, prop, shown, `the load balancer takes a whole number from ${limits.min} to ${limits.max}${unit ? ` ${unit}` : ''}`,
      `Give ${prop} a value from ${limits.min} to ${limits.max}`);
  }
}
