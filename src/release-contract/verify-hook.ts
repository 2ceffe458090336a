/**
 * The contract between the release controller and a deployment's verify hook (the Lambda
 * function given as `verify`): what the controller sends, what the hook answers. Documented
 * for users in the README ("Verify before traffic").
 */

/** What the controller sends the verify hook, as the invocation's JSON payload. */
export interface VerifyHookEvent {
  /** The deployment's name in its stack (DeploymentName of the release resource). */
  readonly deploymentName: string;
  /** The id of the release (the CloudFormation request running it); the same on every attempt. */
  readonly deploymentId: string;
  /** The key of the generation being released. */
  readonly generation: string;
  /** ARN of the new generation's target group: every target in it is healthy. */
  readonly targetGroupArn: string;
  /**
   * URL of the test listener, which forwards only to the new generation while it is verified
   * (the deployment's rule conditions apply there too); absent without a test listener, or
   * when its load balancer is not known to the app.
   */
  readonly testEndpoint?: string;
  /** 1 on the first invocation for this release, counting up on each "not yet". */
  readonly attempt: number;
  /** Seconds left before the controller gives up and rolls the release back. */
  readonly secondsLeft: number;
}

/** The hook's verdicts. */
export const VERIFY_VERDICTS = ['PASS', 'FAIL', 'NOT_YET'] as const;

/** PASS lets traffic move; FAIL rolls the release back; NOT_YET asks to be invoked again. */
export type VerifyVerdict = typeof VERIFY_VERDICTS[number];

/** What the hook returns. Anything else (or a thrown error) is a failure. */
export interface VerifyHookResult {
  readonly verdict: VerifyVerdict;
  /** Why: shown in CloudFormation's failure reason and in the controller's logs. */
  readonly reason?: string;
}

/**
 * How long one invocation of the hook may take before the controller stops waiting for it
 * (and asks again on a later poll, within the verify timeout): longer checks answer NOT_YET
 * and carry on in the next invocation.
 */
export const VERIFY_INVOCATION_SECONDS = 30;

/** Default of `verifyTimeout`. */
export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 300;
