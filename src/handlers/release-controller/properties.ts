import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { InvalidProperties } from './errors';
import { CUSTOM_RESOURCE_LIMIT_SECONDS, MAX_DEPLOYMENT_NAME_LENGTH, MAX_GROUP_SIZE, MAX_STICKINESS_SECONDS, PRIORITY_RANGE } from '../../release-contract/limits';
import type { InsufficientDataPolicyValue, ReleaseStrategy } from '../../release-contract/release-properties';
import { DEFAULT_VERIFY_TIMEOUT_SECONDS } from '../../release-contract/verify-hook';

/** One generation, as the controller refers to it (the construct's Generation is the CDK side of it). */
export interface GenerationRef {
  readonly key: string;
  readonly targetGroupArn: string;
  readonly autoScalingGroupName: string;
}

/** The release properties, parsed and checked (CloudFormation sends every scalar as a string). */
export interface ReleaseConfig {
  readonly deploymentName: string;
  readonly listenerArn: string;
  readonly priority: number;
  readonly conditions: RuleCondition[];
  readonly generation: GenerationRef;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly desiredCapacity?: number;
  readonly strategy: ReleaseStrategy;
  readonly stepPercent: number;
  readonly stepIntervalSeconds: number;
  readonly bakeSeconds: number;
  readonly drainSeconds: number;
  readonly healthTimeoutSeconds: number;
  readonly alarmNames: string[];
  readonly insufficientDataPolicy: InsufficientDataPolicyValue;
  readonly deadlineSeconds: number;
  readonly stickinessSeconds: number;
  /** Verification before the first traffic step; undefined when the deployment has neither a test listener nor a hook. */
  readonly verification?: VerificationConfig;
}

/** Pre-traffic verification: a test listener, a verify hook, or both. */
export interface VerificationConfig {
  readonly testListenerArn?: string;
  readonly testEndpoint?: string;
  readonly functionArn?: string;
  readonly timeoutSeconds: number;
}

/** What a Delete needs; each part is absent when the properties do not carry it usably. */
export interface DeleteConfig {
  readonly deploymentName?: string;
  readonly listenerArn?: string;
  readonly priority?: number;
  readonly targetGroupArns: string[];
  readonly testListenerArn?: string;
}

const STRATEGIES: readonly ReleaseStrategy[] = ['ALL_AT_ONCE', 'CANARY', 'LINEAR'];
const POLICIES: readonly InsufficientDataPolicyValue[] = ['OK', 'FAIL'];
// No phase of a release can outlive the custom resource it runs in.
const MAX_DEADLINE_SECONDS = CUSTOM_RESOURCE_LIMIT_SECONDS;
const LISTENER_ARN = { pattern: /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:listener\/app\//, expected: 'an Application Load Balancer listener ARN' };

type Raw = Record<string, unknown>;

/** Collects every problem so one failed deploy reports all of them, not the first. */
class Reader {
  public readonly problems: string[] = [];

  public constructor(private readonly raw: Raw, private readonly prefix = '') {}

  public value(name: string): unknown {
    return this.raw[name];
  }

  public string(name: string, check?: { pattern: RegExp; expected: string }): string {
    const value = this.raw[name];
    if (typeof value !== 'string' || value.length === 0) {
      this.problem(name, 'a non-empty string', value);
      return '';
    }
    if (check && !check.pattern.test(value)) {
      this.problem(name, check.expected, value);
    }
    return value;
  }

  public integer(name: string, min: number, max: number): number {
    if (isMissing(this.raw[name])) {
      this.problem(name, `an integer from ${min} to ${max}`, undefined);
      return min;
    }
    return this.optionalInteger(name, min, max) ?? min;
  }

  public optionalInteger(name: string, min: number, max: number): number | undefined {
    const value = this.raw[name];
    if (isMissing(value)) {
      return undefined;
    }
    const parsed = toInteger(value);
    if (parsed === undefined || parsed < min || parsed > max) {
      this.problem(name, `an integer from ${min} to ${max}`, value);
      return undefined;
    }
    return parsed;
  }

  /** A duration in seconds; fractions are fine (Duration.toSeconds({ integral: false })). */
  public seconds(name: string, min: number, max: number): number {
    const value = this.raw[name];
    const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
    if (parsed === undefined || !Number.isFinite(parsed) || parsed < min || parsed > max) {
      this.problem(name, `a number of seconds from ${min} to ${max}`, value);
      return min;
    }
    return parsed;
  }

  public oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.raw[name];
    if (value === undefined && fallback !== undefined) {
      return fallback;
    }
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.problem(name, `one of ${allowed.join(', ')}`, value);
      return allowed[0];
    }
    return value as T;
  }

  public problem(name: string, expected: string, value: unknown): void {
    this.problems.push(`${this.prefix}${name}: expected ${expected}, got ${JSON.stringify(value) ?? 'nothing'}`);
  }
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function toInteger(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? value : undefined;
  }
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    return Number(value.trim());
  }
  return undefined;
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readGeneration(value: unknown, problems: string[]): GenerationRef {
  if (!isRecord(value)) {
    problems.push(`Generation: expected an object with Key, TargetGroupArn and AutoScalingGroupName, got ${JSON.stringify(value) ?? 'nothing'}`);
    return { key: '', targetGroupArn: '', autoScalingGroupName: '' };
  }
  const reader = new Reader(value, 'Generation.');
  const generation = {
    key: reader.string('Key'),
    targetGroupArn: reader.string('TargetGroupArn', { pattern: /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:targetgroup\//, expected: 'a target group ARN' }),
    autoScalingGroupName: reader.string('AutoScalingGroupName'),
  };
  problems.push(...reader.problems);
  return generation;
}

function readConditions(value: unknown, problems: string[]): RuleCondition[] {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      problems.push(`Conditions: expected a JSON array of ELBv2 RuleCondition objects, got ${JSON.stringify(value)}`);
      return [];
    }
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((c) => isRecord(c) && typeof c.Field === 'string')) {
    problems.push(`Conditions: expected a non-empty JSON array of ELBv2 RuleCondition objects (each with a Field), got ${JSON.stringify(value) ?? 'nothing'}`);
    return [];
  }
  return parsed as RuleCondition[];
}

function readAlarmNames(value: unknown, problems: string[]): string[] {
  // CloudFormation may drop an empty list altogether.
  if (value === undefined || value === null || value === '') {
    return [];
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    problems.push(`AlarmNames: expected a list of alarm names, got ${JSON.stringify(value)}`);
    return [];
  }
  return [...value] as string[];
}

/** The verification settings, when the deployment verifies at all. */
function readVerification(r: Reader): VerificationConfig | undefined {
  const given = (name: string) => !isMissing(r.value(name));
  if (!given('TestListenerArn') && !given('VerifyFunctionArn')) {
    return undefined;
  }
  return {
    ...(given('TestListenerArn') ? { testListenerArn: r.string('TestListenerArn', LISTENER_ARN) } : {}),
    ...(given('TestEndpoint') ? { testEndpoint: r.string('TestEndpoint') } : {}),
    ...(given('VerifyFunctionArn')
      ? { functionArn: r.string('VerifyFunctionArn', { pattern: /^arn:[^:]+:lambda:[^:]*:[^:]*:function:/, expected: 'a Lambda function ARN' }) }
      : {}),
    timeoutSeconds: given('VerifyTimeoutSeconds') ? r.seconds('VerifyTimeoutSeconds', 1, MAX_DEADLINE_SECONDS) : DEFAULT_VERIFY_TIMEOUT_SECONDS,
  };
}

/** Parse and check a Create or Update request's properties; throws InvalidProperties naming every problem. */
export function parseReleaseProperties(properties: unknown): ReleaseConfig {
  if (!isRecord(properties)) {
    throw new InvalidProperties([`expected an object of properties, got ${JSON.stringify(properties) ?? 'nothing'}`]);
  }
  const r = new Reader(properties);
  const strategy = r.oneOf('Strategy', STRATEGIES);
  const config: ReleaseConfig = {
    // The key of the deployment's state item: DynamoDB takes keys of 1 to 2048 bytes.
    deploymentName: r.string('DeploymentName', {
      pattern: new RegExp(`^[\\x21-\\x7e]{1,${MAX_DEPLOYMENT_NAME_LENGTH}}$`),
      expected: `a name of 1 to ${MAX_DEPLOYMENT_NAME_LENGTH} printable ASCII characters`,
    }),
    listenerArn: r.string('ListenerArn', LISTENER_ARN),
    priority: r.integer('Priority', PRIORITY_RANGE.min, PRIORITY_RANGE.max),
    conditions: readConditions(r.value('Conditions'), r.problems),
    generation: readGeneration(r.value('Generation'), r.problems),
    minCapacity: r.integer('MinCapacity', 0, MAX_GROUP_SIZE),
    maxCapacity: r.integer('MaxCapacity', 1, MAX_GROUP_SIZE),
    desiredCapacity: r.optionalInteger('DesiredCapacity', 0, MAX_GROUP_SIZE),
    strategy,
    // ALL_AT_ONCE ignores the step, so any value (or none) is fine there.
    stepPercent: strategy === 'ALL_AT_ONCE' ? 100 : r.integer('StepPercent', 1, 100),
    stepIntervalSeconds: r.seconds('StepIntervalSeconds', 0, MAX_DEADLINE_SECONDS),
    bakeSeconds: r.seconds('BakeSeconds', 0, MAX_DEADLINE_SECONDS),
    drainSeconds: r.seconds('DrainSeconds', 0, MAX_DEADLINE_SECONDS),
    healthTimeoutSeconds: r.seconds('HealthTimeoutSeconds', 1, MAX_DEADLINE_SECONDS),
    alarmNames: readAlarmNames(r.value('AlarmNames'), r.problems),
    insufficientDataPolicy: r.oneOf('InsufficientDataPolicy', POLICIES, 'OK'),
    deadlineSeconds: r.seconds('DeadlineSeconds', 1, MAX_DEADLINE_SECONDS),
    stickinessSeconds: r.optionalInteger('StickinessSeconds', 0, MAX_STICKINESS_SECONDS) ?? 0,
    verification: readVerification(r),
  };
  if (config.verification?.testListenerArn === config.listenerArn) {
    r.problems.push(`TestListenerArn: expected a listener other than ListenerArn, got ${config.listenerArn}`);
  }
  if (config.minCapacity > config.maxCapacity) {
    r.problems.push(`MinCapacity (${config.minCapacity}) must not exceed MaxCapacity (${config.maxCapacity})`);
  }
  if (config.desiredCapacity !== undefined && (config.desiredCapacity < config.minCapacity || config.desiredCapacity > config.maxCapacity)) {
    r.problems.push(`DesiredCapacity (${config.desiredCapacity}) must lie between MinCapacity (${config.minCapacity}) and MaxCapacity (${config.maxCapacity})`);
  }
  if (r.problems.length > 0) {
    throw new InvalidProperties(r.problems);
  }
  return config;
}

/**
 * What a Delete can use from its properties. A Delete must succeed even when the Create it
 * undoes failed on bad properties, so nothing here throws.
 */
export function parseDeleteProperties(properties: unknown): DeleteConfig {
  const raw = isRecord(properties) ? properties : {};
  const text = (name: string) => (typeof raw[name] === 'string' && raw[name] !== '' ? (raw[name] as string) : undefined);
  const priority = toInteger(raw.Priority);
  const generation = isRecord(raw.Generation) ? raw.Generation : {};
  const tg = typeof generation.TargetGroupArn === 'string' ? [generation.TargetGroupArn] : [];
  return {
    deploymentName: text('DeploymentName'),
    listenerArn: text('ListenerArn'),
    priority: priority !== undefined && priority >= PRIORITY_RANGE.min && priority <= PRIORITY_RANGE.max ? priority : undefined,
    targetGroupArns: tg,
    testListenerArn: text('TestListenerArn'),
  };
}
