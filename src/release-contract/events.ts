/**
 * The release controller's step events on the default event bus, and the warm-up header of
 * its first rule: facts a rule in the app (or a test) matches on, so they live in the contract.
 */

/** The `source` of every release step event. */
export const EVENT_SOURCE = 'cdk-immutable-infra';

/** The `detail-type` of every release step event. */
export const EVENT_DETAIL_TYPE = 'Immutable Release Step';

/** Detail of one "Immutable Release Step" event. */
export interface ReleaseStepDetail {
  readonly deploymentName: string;
  readonly deploymentId: string;
  /** What just happened: STARTED, SIZED, ATTACHED, HEALTHY, VERIFIED, SHIFTED, BAKED, DRAINED, COMMITTED, ROLLED_BACK, UNCHANGED, DELETED. */
  readonly step: string;
  readonly mode?: string;
  readonly phase?: string;
  readonly liveGeneration?: string;
  readonly candidateGeneration?: string;
  readonly previousGeneration?: string;
  /** Percent of traffic on the candidate after this step. */
  readonly candidatePercent?: number;
  readonly outcome?: string;
  readonly message?: string;
  readonly ruleArn?: string;
}

/**
 * Header of the conditions a first generation's rule carries until it is healthy: a value
 * no real request sends, so the rule references the target group (and the load balancer
 * health-checks it) without taking traffic.
 */
export const WARM_UP_HEADER = 'X-Immutable-Release-Warm-Up';
