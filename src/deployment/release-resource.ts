import { Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { CapacityOptions } from './capacity';
import { DeploymentSettings } from './deployment-settings';
import { InsufficientDataPolicy } from './insufficient-data-policy';
import { listenerUrl } from './listener-url';
import { Verification } from './pre-traffic-verification';
import { RELEASE_DEADLINE_SECONDS } from './release-timing';
import { GenerationProperties, ReleaseProperties } from '../release-contract/release-properties';

/** What a deployment's release resource carries, in the construct's terms. */
export interface ReleaseInputs {
  /** A stable name for the deployment, unique in the stack. */
  readonly deploymentName: string;
  readonly listener: elbv2.IApplicationListener;
  readonly settings: DeploymentSettings;
  readonly conditions?: elbv2.ListenerCondition[];
  readonly generation: GenerationProperties;
  readonly capacity: CapacityOptions;
  /** Rendered late: alarms may be added after the deployment is constructed. */
  readonly alarmNames: string[];
  readonly insufficientDataPolicy?: InsufficientDataPolicy;
  readonly verification: Verification;
}

/**
 * The release custom resource's properties (the contract in src/release-contract/), rendered
 * from the deployment's checked settings. CloudFormation hands every scalar to the handler as
 * a string, so numbers are written as strings here.
 */
export function releaseProperties(scope: IConstruct, inputs: ReleaseInputs): ReleaseProperties {
  const { settings, capacity } = inputs;
  const shift = settings.trafficShift;
  return {
    DeploymentName: inputs.deploymentName,
    ListenerArn: inputs.listener.listenerArn,
    Priority: Tokenization.stringifyNumber(settings.priority),
    Conditions: Stack.of(scope).toJsonString(ruleConditions(inputs.conditions)),
    Generation: inputs.generation,
    // Tokenization keeps a token number a token (String() would print its placeholder value).
    MinCapacity: Tokenization.stringifyNumber(capacity.min),
    MaxCapacity: Tokenization.stringifyNumber(capacity.max),
    ...(capacity.desired !== undefined ? { DesiredCapacity: Tokenization.stringifyNumber(capacity.desired) } : {}),
    Strategy: shift._strategy,
    StepPercent: String(shift.percent),
    StepIntervalSeconds: String(shift.interval.toSeconds({ integral: false })),
    BakeSeconds: String(settings.bakeSeconds),
    DrainSeconds: String(settings.drainSeconds),
    HealthTimeoutSeconds: String(settings.healthTimeoutSeconds),
    AlarmNames: inputs.alarmNames,
    InsufficientDataPolicy: inputs.insufficientDataPolicy ?? InsufficientDataPolicy.TREAT_AS_OK,
    DeadlineSeconds: String(RELEASE_DEADLINE_SECONDS),
    StickinessSeconds: String(settings.stickinessSeconds),
    ...verificationProperties(inputs.verification),
  };
}

/** The verification properties, each only when set. */
function verificationProperties(verification: Verification): Partial<ReleaseProperties> {
  const { testListener, hook } = verification;
  const endpoint = testListener ? listenerUrl(testListener) : undefined;
  return {
    ...(testListener ? { TestListenerArn: testListener.listenerArn } : {}),
    ...(endpoint ? { TestEndpoint: endpoint } : {}),
    ...(hook ? { VerifyFunctionArn: hook.functionArn, VerifyTimeoutSeconds: String(verification.timeoutSeconds) } : {}),
  };
}

/**
 * The rule conditions in the ELBv2 API's shape (RuleCondition: `Field`, `PathPatternConfig`
 * …), from CDK's CloudFormation-shaped ones (`field`, `pathPatternConfig` …).
 */
function ruleConditions(conditions: elbv2.ListenerCondition[] | undefined): unknown[] {
  const chosen = conditions && conditions.length > 0 ? conditions : [elbv2.ListenerCondition.pathPatterns(['/*'])];
  return chosen.map(c => pascalKeys(c.renderRawCondition()));
}

function pascalKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(pascalKeys);
  }
  if (value && typeof value === 'object' && !Token.isUnresolved(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), pascalKeys(v)]));
  }
  return value;
}
