/**
 * The contract between the ImmutableDeployment construct and the release controller
 * handler: the custom resource's properties. CloudFormation hands every scalar to the
 * handler as a string, so numbers travel as strings and are parsed by the handler.
 *
 * Internal: not exported from the package index. Like everything in src/release-contract/,
 * free of CDK and AWS SDK imports, so the construct and the Lambda bundle both import it.
 */

/** Resource type of the release custom resource. */
export const RELEASE_RESOURCE_TYPE = 'Custom::ImmutableRelease';

/**
 * Tag on what the release controller of a stack may change: the Auto Scaling groups it may
 * resize, and the listener rules it creates (its IAM policy allows ModifyRule, DeleteRule and
 * SetRulePriorities only on rules that carry it). The value is the controller's.
 */
export const CONTROLLER_TAG_KEY = 'cdk-immutable-infra:release-controller';

/**
 * Tag on a listener rule naming the release resource (its physical id) that created it: the
 * proof that a rule found at the deployment's priority is the one an earlier attempt of the
 * same CreateRule made.
 */
export const RELEASE_TAG_KEY = 'cdk-immutable-infra:release';

/** The partition key of the controller's state table: a deployment's DeploymentName. */
export const STATE_TABLE_KEY = 'Deployment';

/** Environment variables the controller's isComplete function reads. */
export const CONTROLLER_ENVIRONMENT = {
  /** The value of CONTROLLER_TAG_KEY for this controller. */
  controllerTag: 'RELEASE_CONTROLLER_TAG',
  /** The DynamoDB table holding each deployment's release state, keyed by DeploymentName. */
  stateTable: 'RELEASE_STATE_TABLE',
} as const;

/** Traffic strategies the controller understands. */
export type ReleaseStrategy = 'ALL_AT_ONCE' | 'CANARY' | 'LINEAR';

/**
 * What to do when a rollback alarm has no data: the wire value of the public
 * InsufficientDataPolicy enum (TREAT_AS_OK = 'OK', ROLL_BACK = 'FAIL').
 */
export type InsufficientDataPolicyValue = 'OK' | 'FAIL';

/** One generation: the resources CloudFormation created for one launch configuration. */
export interface GenerationProperties {
  /** The synth-time generation key (image key + launch inputs). */
  readonly Key: string;
  /** ARN of the generation's target group. */
  readonly TargetGroupArn: string;
  /** Name of the generation's Auto Scaling group. */
  readonly AutoScalingGroupName: string;
}

export interface ReleaseProperties {
  /** A stable name for this deployment, unique in the stack (the key of its release state, and in events). */
  readonly DeploymentName: string;
  /** Listener that carries the rule the controller owns. */
  readonly ListenerArn: string;
  /** Rule priority on that listener. */
  readonly Priority: string;
  /**
   * Rule conditions, in the ELBv2 API shape (`RuleCondition[]`), as JSON.
   * Default when the deployment owns its ALB: a path-pattern `/*`.
   */
  readonly Conditions: string;
  /** The generation this release makes live. */
  readonly Generation: GenerationProperties;
  /** Bounds and initial size for a generation's Auto Scaling group. */
  readonly MinCapacity: string;
  readonly MaxCapacity: string;
  /** Initial desired size for the first generation (later ones match the live one). */
  readonly DesiredCapacity?: string;
  /** Traffic strategy. */
  readonly Strategy: ReleaseStrategy;
  /** Percent moved per step (CANARY: first step; LINEAR: every step). Ignored for ALL_AT_ONCE. */
  readonly StepPercent: string;
  /** Seconds between steps. */
  readonly StepIntervalSeconds: string;
  /** Seconds at 100 % under alarms before the release commits. */
  readonly BakeSeconds: string;
  /** Seconds to wait after the old generation's weight reaches 0 (its deregistration delay). */
  readonly DrainSeconds: string;
  /** Seconds the new generation may take to become healthy. */
  readonly HealthTimeoutSeconds: string;
  /** Names of CloudWatch alarms that roll the release back when in ALARM. */
  readonly AlarmNames: string[];
  /** How an alarm in INSUFFICIENT_DATA counts. */
  readonly InsufficientDataPolicy: InsufficientDataPolicyValue;
  /** Total seconds the release may take before the controller gives up and restores the old generation. */
  readonly DeadlineSeconds: string;
  /** Target group stickiness for the weighted forward action, 0 = off. */
  readonly StickinessSeconds: string;
  /**
   * A test listener: the controller keeps a rule on it (at Priority, with Conditions) that
   * forwards to the live generation, and to the new one from its verification on.
   */
  readonly TestListenerArn?: string;
  /** The test listener's URL, for the verify hook. */
  readonly TestEndpoint?: string;
  /** ARN of the verify hook (see verify-hook.ts), invoked before the first traffic step. */
  readonly VerifyFunctionArn?: string;
  /** Seconds the verification may take, from the new generation being healthy. */
  readonly VerifyTimeoutSeconds?: string;
}

/** Attributes the handler returns (readable with Fn::GetAtt). */
export interface ReleaseAttributes {
  readonly LiveGeneration: string;
  readonly LiveTargetGroupArn: string;
  readonly PreviousGeneration: string;
  readonly DeploymentId: string;
  readonly Outcome: string;
  readonly RuleArn: string;
}
